"""The national crisis: the whole hub (``kcr run``) over a history of 20,000 active incidents.

1. A history of active incidents (25 regions, 5 categories, started over the last day) goes
   straight into the log with its clock ticks (:func:`bench.logfill.fill_log_with`).
2. ``kcr run`` (gateway, clock, processors, dashboard; the registry is the bench's own) starts
   as a subprocess; a probe incident is published every half second until one shows in the
   situation view: the time from process start to then is its start-to-live time.
3. The live mix (:data:`bench.crisis.MIX`) at each rate for a fixed time: every new incident's
   latency to its situation view record and to its record in the NCC's outbox. A bounded
   wait afterwards for the last ones; those that never arrive are counted, not dropped.
4. Throughout, once a second: the processors' lag (event log end offsets minus the offsets
   the worker reports as ``<prefix>-processors-log`` once a save covers them) and the
   gateway's (ingress end offsets minus its group's offsets); and every record of the
   processors' table changelog (``<prefix>-processors-projector-changelog``): its size and
   when it came, for the bytes of state written per second and the largest state record.
5. Idle: no load, the processors' CPU over a few seconds (the ``--only processors`` child of
   ``kcr run`` when it runs services as processes, else ``kcr run`` and all its children).
6. Restart: SIGTERM, then ``kcr run`` again on the same topics, timed to live.

:func:`long_history` does 1, 2 and 6 over a history of 1,000,000 events (the active incidents,
then incidents each reported, updated twice and closed) for the largest state record and the
restart time with a long history. A hub that falls behind, never gets live or crashes is a
finding: every wait is bounded and the result says what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from confluent_kafka import Producer
from rich.console import Console

from bench.crisis import Planned, Stamper, event_id, lifecycle_plan, plan_mix
from bench.env import BenchEnv, _free_port
from bench.fastfill import EncodedEvent, produce
from bench.logfill import fill_log_with
from bench.stats import FLAT_SHARE, lag_trend, latency_stats, state_writes
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.organisations import load_registry
from hub.kafka.reading import partitions_of

__all__ = ["FULL_CRISIS", "QUICK_CRISIS", "CrisisSizes", "long_history", "national_crisis"]


@dataclass(frozen=True)
class CrisisSizes:
    """How big and how long each part of the national crisis is."""

    active: int  # active incidents in the history
    rates: tuple[tuple[int, float], ...]  # (events/s, seconds) of the live mix
    drain_s: float  # longest wait for the last incidents of a rate
    live_s: float  # longest wait for the hub to be live after a start
    idle_s: float  # the idle CPU sample
    long_events: int  # events in the long history
    long_live_s: float  # longest wait for the hub to be live over the long history
    restart_s: float  # longest wait for the hub to be live again after a restart
    tick_sizes: tuple[int, ...]
    tick_repeat: int
    tick_budget_s: float


FULL_CRISIS = CrisisSizes(active=20_000, rates=((200, 60), (1000, 300), (2000, 60)), drain_s=20,
                          live_s=240, idle_s=20, long_events=1_000_000, long_live_s=240,
                          restart_s=120, tick_sizes=(10, 1000, 20_000, 100_000), tick_repeat=7,
                          tick_budget_s=300)  # fmt: skip
QUICK_CRISIS = CrisisSizes(active=2000, rates=((200, 5), (1000, 5), (2000, 5)), drain_s=5,
                           live_s=120, idle_s=5, long_events=50_000, long_live_s=120, restart_s=60,
                           tick_sizes=(10, 1000, 5000), tick_repeat=5,
                           tick_budget_s=60)  # fmt: skip
console = Console(stderr=True)
_PROBES = 900_000_000  # probe incidents are numbered from here
_PREFIX = "incident/nc-"  # the situation view's key of a bench incident


@dataclass
class _Observed:
    """What the observers saw, stamped with ``time.perf_counter()``."""

    view: dict[str, float] = field(default_factory=dict)
    outbox: dict[str, float] = field(default_factory=dict)
    changelog: list[tuple[float, int]] = field(default_factory=list)
    changelog_topic: str | None = None
    lag: list[dict[str, Any]] = field(default_factory=list)
    phase: str = "start"


class _Observers:
    """The consumers and the lag sampler of one run, in this event loop."""

    def __init__(self, env: BenchEnv) -> None:
        self.env = env
        self.seen = _Observed()
        self.began = time.perf_counter()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> _Observers:
        names = self.env.names
        self._tasks = [
            asyncio.create_task(self._watch(names.view("situation"), self.seen.view)),
            asyncio.create_task(self._watch(names.outbox("ncc"), self.seen.outbox)),
            asyncio.create_task(self._changelog()),
            asyncio.create_task(self._lag()),
        ]
        await asyncio.sleep(2)  # the watchers join at the end of their topics
        return self

    async def __aexit__(self, *_: object) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def _watch(self, topic: str, arrived: dict[str, float]) -> None:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=self.env.bootstrap, group_id=None,
                                    auto_offset_reset="latest", fetch_max_wait_ms=10)  # fmt: skip
        await consumer.start()
        try:
            while not self._stop.is_set():
                batch = await consumer.getmany(timeout_ms=50, max_records=5000)
                now = time.perf_counter()
                for record in (r for records in batch.values() for r in records):
                    key = (record.key or b"").decode()
                    if key.startswith(_PREFIX) and key not in arrived:
                        arrived[key] = now
        finally:
            await consumer.stop()

    async def _changelog(self) -> None:
        """Every record of the processors' table changelog: when and how big (key + value)."""
        prefix = f"{self.env.names.prefix}-processors"
        admin = AIOKafkaAdminClient(bootstrap_servers=self.env.bootstrap)
        await admin.start()
        try:
            topic = None
            while topic is None and not self._stop.is_set():
                found = sorted(await admin.list_topics())
                topic = next((t for t in found if t.startswith(prefix) and "changelog" in t), None)
                if topic is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), 1.0)
        finally:
            await admin.close()
        if topic is None:
            return
        self.seen.changelog_topic = topic
        consumer = AIOKafkaConsumer(bootstrap_servers=self.env.bootstrap, group_id=None,
                                    max_partition_fetch_bytes=16 << 20,
                                    fetch_max_bytes=64 << 20)  # fmt: skip
        await consumer.start()
        try:
            partitions = await partitions_of(self.env.bootstrap, [topic])
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            while not self._stop.is_set():
                batch = await consumer.getmany(timeout_ms=200)
                now = time.perf_counter()
                for record in (r for records in batch.values() for r in records):
                    size = len(record.key or b"") + len(record.value or b"")
                    self.seen.changelog.append((now, size))
        finally:
            await consumer.stop()

    async def _lag(self) -> None:
        """Once a second: the processors' and the gateway's lag, in records."""
        names = self.env.names
        orgs = [o for o in load_registry().ids() if o != "hub"]
        logs = await partitions_of(self.env.bootstrap, [names.log(f) for f in FAMILIES])
        ingress = await partitions_of(self.env.bootstrap, [names.ingress(o) for o in orgs])
        events = [p for p in logs if p.topic != names.log("clock")]  # ticks: Faust's own group
        consumer = AIOKafkaConsumer(bootstrap_servers=self.env.bootstrap, group_id=None)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.env.bootstrap)
        await consumer.start()
        await admin.start()
        try:
            while not self._stop.is_set():
                ends = await consumer.end_offsets([*logs, *ingress])
                sample: dict[str, Any] = {"t": round(time.perf_counter() - self.began, 2),
                                          "phase": self.seen.phase,
                                          "log_end": sum(ends[p] for p in logs)}  # fmt: skip
                groups = (("processors_lag", f"{names.prefix}-processors-log", events),
                          ("gateway_lag", f"{names.prefix}-gateway", ingress))  # fmt: skip
                for name, group, parts in groups:
                    sample[name] = await self._behind(admin, group, parts, ends)
                self.seen.lag.append(sample)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), 1.0)
        finally:
            await consumer.stop()
            await admin.close()

    @staticmethod
    async def _behind(
        admin: AIOKafkaAdminClient, group: str, parts: list[TopicPartition],
        ends: dict[TopicPartition, int],
    ) -> int | None:  # fmt: skip
        """Records of ``parts`` after ``group``'s committed offsets (None: no offsets yet)."""
        try:
            committed = await admin.list_consumer_group_offsets(group)
        except Exception:  # the group may not exist yet: the lag is unknown
            return None
        if not committed:
            return None
        return sum(max(0, ends[p] - committed[p].offset) if p in committed else ends[p]
                   for p in parts)  # fmt: skip

    def processors_lag(self) -> int | None:
        """The newest sample's processors lag."""
        return self.seen.lag[-1]["processors_lag"] if self.seen.lag else None

    def lag_of(self, phase: str, what: str = "processors_lag") -> dict[str, float | None]:
        """The trend of one lag over the samples of ``phase``."""
        points = [(s["t"], float(s[what])) for s in self.seen.lag
                  if s["phase"] == phase and s[what] is not None]  # fmt: skip
        return lag_trend(points)


class _Hub:
    """``kcr run`` on the run's topics in a subprocess of its own session, logging to a file."""

    def __init__(self, env: BenchEnv, work: Path, name: str) -> None:
        self.env, self.work = env, work
        self.log = work / f"{name}-hub.log"
        self.log.unlink(missing_ok=True)  # this run's log only (each start appends to it)
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> None:
        environment = {
            **os.environ,
            "KCR_BOOTSTRAP": self.env.bootstrap,
            "KCR_TOPIC_PREFIX": self.env.names.prefix,
            "KCR_REGISTRY_URL": self.env.registry_url,
            "KCR_DASHBOARD_PORT": str(_free_port()),
            "KCR_DATA_DIR": str(self.work / "hub-data"),
        }
        with self.log.open("a") as out:
            out.write(f"--- kcr run started at {datetime.now(UTC).isoformat()}\n")
            out.flush()
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub.cli", "run", "--without", "registry",
                 "--without", "bridge"],
                env=environment, stdout=out, stderr=out, cwd=self.work, start_new_session=True,
            )  # fmt: skip

    async def stop(self, bound: float = 60) -> dict[str, Any]:
        """SIGTERM and wait up to ``bound`` s; then SIGKILL its whole session (and say so)."""
        process = self.process
        if process is None:
            return {}
        began = time.perf_counter()
        if process.poll() is not None:
            return {"exited_before_stop": process.returncode}
        process.send_signal(signal.SIGTERM)
        honoured = await _until(lambda: process.poll() is not None, bound, 0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its session: its children, if any, too
        await asyncio.to_thread(process.wait)
        return {"stop_s": round(time.perf_counter() - began, 1), "sigterm_honoured": honoured}

    async def remove_data(self) -> None:
        """Remove what the hub kept on disk here (Faust's data directory, the data dir)."""
        for folder in (f"{self.env.names.prefix}-processors-data", "hub-data"):
            await asyncio.to_thread(shutil.rmtree, self.work / folder, True)

    def pids(self) -> tuple[list[int], str]:
        """The ``--only processors`` child of ``kcr run`` if there is one, else all of it."""
        if self.process is None:
            return [], "nothing"
        tree = _descendants(self.process.pid)
        for pid in tree:
            command = _cmdline(pid)
            if "--only" in command and "processors" in command:
                return [pid], "the processors' own process (kcr run --only processors)"
        return tree, f"the whole kcr run ({len(tree)} process(es): no processors child)"

    def errors(self, count: int = 6) -> list[str]:
        """The last distinct error lines of its log."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        found: list[str] = []
        for line in lines:
            if any(w in line for w in ("Error", "Traceback", "CRITICAL", "crash")):
                text = line.strip()[:300]
                if text not in found:
                    found.append(text)
        return found[-count:]


async def _until(done: Callable[[], bool], bound: float, step: float = 0.25) -> bool:
    """Wait until ``done()`` or ``bound`` seconds; return whether it is done."""
    deadline = time.perf_counter() + bound
    while True:
        if done():
            return True
        if time.perf_counter() >= deadline:
            return False
        await asyncio.sleep(step)


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it, from ``/proc``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _cmdline(pid: int) -> list[str]:
    with contextlib.suppress(OSError):
        return (Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")).split("\0")
    return []


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` so far (those that still run)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


class _Sender:
    """A librdkafka producer for the live mix: each event to its source's ingress topic.

    It waits at most a millisecond to batch: latency is what is measured.
    """

    def __init__(self, env: BenchEnv) -> None:
        self.env = env
        self.producer = Producer({"bootstrap.servers": env.bootstrap, "linger.ms": 1,
                                  "enable.idempotence": False, "log_level": 0,
                                  "partitioner": "murmur2_random"})  # fmt: skip

    def send(self, record: EncodedEvent) -> None:
        produce(self.producer, self.env.names.ingress(record.source), record.value, record.key,
                record.headers, None)  # fmt: skip
        self.producer.poll(0)

    def flush(self, timeout: float = 30) -> int:
        """Wait for every send; return how many were still waiting after ``timeout`` s."""
        left: int = self.producer.flush(timeout)
        return left


async def _stamper(env: BenchEnv, ingested: bool = False) -> Stamper:
    now = datetime.now(UTC)
    return Stamper(await Stamper.schema_ids(env.codec()), now, now if ingested else None)


async def _until_live(
    env: BenchEnv, hub: _Hub, observers: _Observers, bound: float, seed: int
) -> float | None:
    """Publish a probe incident every half second until one is in the situation view.

    Return the seconds from the hub's process start to the first probe's arrival, or None
    if none came within ``bound`` seconds (or the hub exited).
    """
    stamper, sender = await _stamper(env), _Sender(env)
    probes: set[str] = set()
    n = 0
    try:
        while time.perf_counter() - hub.started < bound:
            arrived = [observers.seen.view[k] for k in probes if k in observers.seen.view]
            if arrived:
                return round(min(arrived) - hub.started, 2)
            if hub.process is not None and hub.process.poll() is not None:
                return None
            number = _PROBES + seed * 100_000 + n
            record = stamper.stamp(Planned("incident_reported", "vr19", number),
                                   event_id(3000 + seed, n))  # fmt: skip
            sender.send(record)
            probes.add(f"incident/{record.key.decode()}")
            n += 1
            await asyncio.sleep(0.5)
        return None
    finally:
        await asyncio.to_thread(sender.flush, 5)


def _publish(
    sender: _Sender, stamper: Stamper, plan: list[Planned], rate: int, seed: int,
    sent: dict[str, float],
) -> dict[str, float]:  # fmt: skip
    """Send ``plan`` at ``rate`` events/s (a thread); note each new incident's send time."""
    started = time.perf_counter()
    late = 0.0
    for n, planned in enumerate(plan):
        record = stamper.stamp(planned, event_id(seed, n))
        delay = started + n / rate - time.perf_counter()
        if delay > 0.0005:
            time.sleep(delay)
        else:
            late = max(late, -delay)
        if planned.kind == "incident_reported":
            sent[f"incident/{record.key.decode()}"] = time.perf_counter()
        sender.send(record)
    seconds = time.perf_counter() - started
    unsent = sender.flush()
    return {"published_s": round(seconds, 2), "most_behind_schedule_s": round(late, 3),
            "unsent_after_flush": unsent}  # fmt: skip


async def _one_rate(
    env: BenchEnv, observers: _Observers, sizes: CrisisSizes, rate: int, seconds: float,
    first_new: int, seed: int,
) -> dict[str, Any]:  # fmt: skip
    label = f"{rate}/s"
    console.log(f"live mix at {label} for {seconds:.0f} s")
    plan = plan_mix(int(rate * seconds), active=sizes.active, first_new=first_new, seed=seed)
    stamper, sender = await _stamper(env), _Sender(env)
    sent: dict[str, float] = {}
    observers.seen.phase = label
    began = time.perf_counter()
    published = await asyncio.to_thread(_publish, sender, stamper, plan, rate, seed, sent)
    ended = time.perf_counter()
    observers.seen.phase = f"drain {label}"
    view, outbox = observers.seen.view, observers.seen.outbox
    await _until(lambda: all(k in view for k in sent), sizes.drain_s)
    drained = time.perf_counter() - ended

    waited_until = time.perf_counter()

    def latencies(arrived: dict[str, float]) -> dict[str, Any]:
        seen = [arrived[k] - t for k, t in sent.items() if k in arrived]
        bounds = [waited_until - t for k, t in sent.items() if k not in arrived]
        return latency_stats(seen, missing=len(bounds), waited=bounds)

    result: dict[str, Any] = {
        "rate": rate, "seconds": seconds, "events": len(plan), "new_incidents": len(sent),
        **published, "waited_after_s": round(drained, 1), "view": latencies(view),
        "outbox": latencies(outbox), "lag": observers.lag_of(label),
        "gateway_lag": observers.lag_of(label, "gateway_lag"),
        "state": state_writes(observers.seen.changelog, began, ended),
    }  # fmt: skip
    slope = result["lag"]["slope_per_s"]
    result["behind"] = not result["view"]["complete"] or (
        slope is not None and slope >= FLAT_SHARE * rate
    )
    return result


async def _idle(
    hub: _Hub, observers: _Observers, sizes: CrisisSizes
) -> dict[str, Any]:  # fmt: skip
    """Wait (bounded) for the processors to catch up, then sample their CPU with no load."""
    observers.seen.phase = "catch up"
    began = time.perf_counter()
    await _until(lambda: observers.processors_lag() == 0, sizes.drain_s * 3, 0.5)
    observers.seen.phase = "idle"
    lag = observers.processors_lag()
    pids, what = hub.pids()
    start, cpu = time.perf_counter(), _cpu_seconds(pids)
    await asyncio.sleep(sizes.idle_s)
    used, wall = _cpu_seconds(pids) - cpu, time.perf_counter() - start
    return {"cpu_percent": round(100 * used / wall, 1), "seconds": round(wall, 1),
            "measured": what, "waited_for_catch_up_s": round(start - began, 1),
            "lag_at_start": lag,
            "state": state_writes(observers.seen.changelog, start, start + wall)}  # fmt: skip


async def _fill_history(env: BenchEnv, plan: Iterator[Planned], count: int) -> float:
    stamper = await _stamper(env, ingested=True)
    records = (stamper.stamp(p, event_id(1, n)) for n, p in enumerate(plan))
    began = time.perf_counter()
    await fill_log_with(env, env.codec(), records, count)
    return round(time.perf_counter() - began, 1)


def _history(sizes: CrisisSizes) -> Iterator[Planned]:
    """The active incidents (as in :func:`bench.crisis.lifecycle_plan`), no closures."""
    return lifecycle_plan(sizes.active, active=sizes.active)


async def national_crisis(env: BenchEnv, work: Path, sizes: CrisisSizes) -> dict[str, Any]:
    """The live scenario (module doc, steps 1-6); return its figures."""
    result: dict[str, Any] = {"active_incidents": sizes.active}
    result["history_fill_s"] = await _fill_history(env, _history(sizes), sizes.active)
    hub = _Hub(env, work, "national-crisis")
    async with _Observers(env) as observers:
        hub.start()
        try:
            live = await _until_live(env, hub, observers, sizes.live_s, seed=0)
            result["start_to_live_s"] = live
            console.log(f"kcr run started; live after {live} s")
            if live is None:  # the load is still measured: how far behind it stays is a finding
                result["not_live"] = f"no probe in the situation view within {sizes.live_s:.0f} s"
            if hub.process is not None and hub.process.poll() is None:
                rates: dict[str, Any] = {}
                first_new = sizes.active
                for n, (rate, seconds) in enumerate(sizes.rates):
                    rates[str(rate)] = await _one_rate(env, observers, sizes, rate, seconds,
                                                       first_new, seed=10 + n)  # fmt: skip
                    first_new += int(rate * seconds)
                result["rates"] = rates
                console.log("idle CPU")
                result["idle"] = await _idle(hub, observers, sizes)
                console.log("restart")
                observers.seen.phase = "restart"
                result["stop"] = await hub.stop()
                hub.start()
                result["restart_to_live_s"] = await _until_live(
                    env, hub, observers, sizes.restart_s, seed=1
                )
                observers.seen.phase = "after restart"
            else:
                result["hub_exited"] = hub.process.returncode if hub.process else None
        finally:
            result["stop_at_end"] = await hub.stop()
            result["hub_errors"] = hub.errors()
            await hub.remove_data()
    seen = observers.seen
    result["changelog_topic"] = seen.changelog_topic
    result["state_records"] = len(seen.changelog)
    result["largest_state_record"] = max((s for _, s in seen.changelog), default=None)
    result["lag_samples"] = seen.lag
    return result


async def long_history(env: BenchEnv, work: Path, sizes: CrisisSizes) -> dict[str, Any]:
    """The long history (module doc): start, live, restart, and the largest state record."""
    count = sizes.long_events
    result: dict[str, Any] = {"events": count, "active_incidents": sizes.active}
    plan = lifecycle_plan(count, active=sizes.active)
    result["history_fill_s"] = await _fill_history(env, plan, count)
    hub = _Hub(env, work, "long-history")
    async with _Observers(env) as observers:
        records = None
        while records is None:
            await asyncio.sleep(0.5)
            records = observers.seen.lag[-1]["log_end"] if observers.seen.lag else None
        result["log_records"] = records  # events and clock ticks
        hub.start()
        try:
            live = await _until_live(env, hub, observers, sizes.long_live_s, seed=2)
            result["start_to_live_s"] = live
            console.log(f"kcr run over the long history: live after {live} s")
            newest = observers.seen.lag[-1]
            lag = newest["processors_lag"]
            result["records_covered"] = None if lag is None else newest["log_end"] - lag
            if live is None:
                result["restart_note"] = (
                    f"not live within {sizes.long_live_s:.0f} s of its first start"
                )
            else:
                result["stop"] = await hub.stop()
                hub.start()
                restart = await _until_live(env, hub, observers, sizes.restart_s, seed=3)
                result["restart_to_live_s"] = restart
                if restart is None:
                    result["restart_note"] = f"not live within {sizes.restart_s:.0f} s"
        finally:
            result["stop_at_end"] = await hub.stop()
            result["hub_errors"] = hub.errors()
            await hub.remove_data()
    seen = observers.seen
    result["changelog_topic"] = seen.changelog_topic
    result["state_records"] = len(seen.changelog)
    result["largest_state_record"] = max((s for _, s in seen.changelog), default=None)
    if seen.changelog:
        first, last = seen.changelog[0][0], seen.changelog[-1][0]
        result["state"] = state_writes(seen.changelog, first, max(last, first + 1))
    return result
