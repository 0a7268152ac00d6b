"""``python -m bench`` (``make bench``): measure the hub and its baselines, write results.json.

Every hub figure is printed with its ratio to the baseline measured in the same run, on the
same broker and data. ``--quick`` runs small sizes (a smoke test of the benchmark itself).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from rich.console import Console
from rich.table import Table

from bench.archive import bare_archive_read, export_archive
from bench.data import realistic_events
from bench.env import BenchEnv, bench_env, load_averages, machine
from bench.fastfill import EventPool
from bench.ingest import bare_decode, bare_pipe, fill_ingress, gateway_drain
from bench.issue17 import ISSUE_17_GOALS, issue17_goals, per_million_s, start_seconds
from bench.kafka_tools import consumer_performance, producer_performance
from bench.latency import latency_at_rates
from bench.logfill import fill_log
from bench.national import FULL_CRISIS, QUICK_CRISIS, CrisisSizes, long_history, national_crisis
from bench.plots import write_plots
from bench.profiling import save_profile, top_frames
from bench.stats import ISSUE_15_GOALS, crisis_goals
from bench.tick_cost import tick_costs
from hub.logs import configure_logging
from hub.topics import TopicSpec
from hub.topics.admin import apply_topics

HERE = Path(__file__).resolve().parent
console = Console(stderr=True)


@dataclass(frozen=True)
class Sizes:
    """How much each measurement uses; the gateway's share is set by time, not by count."""

    ingest_seconds: float  # the gateway is measured over at least this long
    replay: int  # events in the log that `kcr replay` reads
    processors: int  # events in the smaller log for the Faust worker and the archive
    latency_seconds: float
    kafka_records: int


FULL = Sizes(ingest_seconds=60, replay=1_000_000, processors=100_000, latency_seconds=20,
             kafka_records=500_000)  # fmt: skip
QUICK = Sizes(ingest_seconds=4, replay=20_000, processors=10_000, latency_seconds=3,
              kafka_records=50_000)  # fmt: skip
_PER_TICK = 1000  # events per clock tick in the ready-made logs (bench.logfill)
_CALIBRATION = 20_000  # events the gateway drains first, to size the measured run


async def _ingest(env: BenchEnv, pool: EventPool, sizes: Sizes, results: dict[str, Any]) -> None:
    calibration = min(_CALIBRATION, max(2000, int(sizes.ingest_seconds * 500)))
    console.log(f"gateway warm-up over {calibration} events (sizes the measured run)")
    await fill_ingress(env, pool, calibration, seed=1)
    warm_rate, _ = await gateway_drain(env, calibration)
    count = max(calibration, int(warm_rate * sizes.ingest_seconds * 1.5))  # ≥ 60 s of work
    results["ingest_events"] = count
    console.log(f"filling the ingress topics with {count} events ({warm_rate:,.0f}/s warm-up)")
    values = await fill_ingress(env, pool, count, seed=2)
    results["baseline_decode_per_s"] = bare_decode(pool.codec, values)
    console.log("bare aiokafka pipe")
    results["baseline_pipe_per_s"] = await bare_pipe(env, calibration + count)
    results["baseline_rdkafka_pipe"] = {}
    for mode in ("plain", "transactional"):
        console.log(f"bare librdkafka pipe ({mode}), in a child")
        results["baseline_rdkafka_pipe"][mode] = await _child(
            "bench.rdkafka_pipe", "--bootstrap", env.bootstrap, "--prefix", env.names.prefix,
            "--count", str(calibration + count), "--mode", mode,
        )  # fmt: skip
    console.log("gateway")
    rate, seconds = await gateway_drain(env, count)
    results["gateway_per_s"], results["gateway_seconds"] = rate, seconds
    sample = max(1000, count // 10)  # profiled apart: the profiler slows what it sees
    console.log(f"gateway profile over {sample} more events")
    await fill_ingress(env, pool, sample, seed=3)
    # The main thread once the gateway is ready (its batches, not its start): every task of
    # it, and its waits on librdkafka's threads (in the event loop's select).
    profiler = Profiler(async_mode="disabled")
    await gateway_drain(env, sample, when_ready=profiler.start)
    profiler.stop()
    save_profile(profiler, HERE / "profiles" / "gateway.txt")
    results["gateway_top_frames"] = top_frames(profiler)


@contextlib.contextmanager
def _phase(results: dict[str, Any], name: str) -> Iterator[None]:
    """Note a phase's wall time and CPU time (this process and its children) in the results."""

    def cpu() -> float:
        own, kids = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    wall, used = time.perf_counter(), cpu()
    try:
        yield
    finally:
        results.setdefault("phases", {})[name] = {
            "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(cpu() - used, 2),
        }


async def _child(
    module: str, *args: str, timeout: float = 900, cwd: Path | None = None
) -> dict[str, Any]:
    """Run ``python -m module args`` (its memory and CPU its own); return its last JSON line.

    ``cwd``: where it runs (Faust makes its data directory there), with bench importable.
    """
    path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=cwd, env={**os.environ, "PYTHONPATH": path},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=timeout)
    if child.returncode != 0:
        raise RuntimeError(f"the {module} child failed: {stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return result


def _env_args(env: BenchEnv) -> tuple[str, ...]:
    return ("--bootstrap", env.bootstrap, "--prefix", env.names.prefix,
            "--registry", env.registry_url)  # fmt: skip


async def _gateway_start(env: BenchEnv, records: int, results: dict[str, Any]) -> None:
    """Start a gateway in a child over the log, twice: spawn to ready, first start and restart.

    The first start also claims the owners of the log's aggregates once (the ownership
    backfill, for a log older than the ownership store: the bench's ready-made log is); the
    restart is every later start: the window from headers, the book read back.
    """
    runs: dict[str, Any] = {"log_records": records}
    for name in ("first", "restart"):
        spawned = time.time()
        found = await _child("bench.gateway_start", *_env_args(env))
        runs[name] = {**found, "seconds": start_seconds(spawned, found["ready_at"])}
    results["gateway_start"] = runs


async def _history(env: BenchEnv, sizes: Sizes, work: Path, results: dict[str, Any]) -> None:
    """Over one ready-made log: replay and its baseline, its profile, archive, gateway start."""
    pool = await EventPool.build(env.codec(), realistic_events(5000, seed=11))
    console.log(f"writing a log of {sizes.replay} events for replay")
    with _phase(results, "log fill"):
        await fill_log(env, pool.codec, pool, sizes.replay)
    with _phase(results, "replay"):
        await _replay(env, results)
    with _phase(results, "replay profile"):
        await _replay_profile(env, min(20_000, max(5000, sizes.replay // 20)), results)
    console.log("archive: export the same log, replay the file")
    with _phase(results, "archive (export, read, replay)"):
        await _archive(env, work, results)
    console.log(f"gateway start over the {sizes.replay}-event log (first start, restart)")
    with _phase(results, "gateway start"):
        await _gateway_start(env, sizes.replay, results)


async def _replay(env: BenchEnv, results: dict[str, Any]) -> None:
    """Replay in a child process (for its own peak memory); this loop serves its registry.

    Then its baseline over the same log, in a child too: a bare librdkafka consume + fastavro
    decode loop (:mod:`bench.bare_history`).
    """
    results["replay"] = await _child("bench.replay_run", *_env_args(env))
    results["baseline_consume_decode"] = await _child("bench.bare_history", *_env_args(env))


async def _processors(env: BenchEnv, work: Path, events: int, results: dict[str, Any]) -> None:
    """The Faust worker in a child over a ready-made log, until the last tick's views are out."""
    ticks = -(-events // _PER_TICK)
    results["processors"] = await _child(
        "bench.worker_run", *_env_args(env), "--records", str(events + ticks),
        "--ticks", str(ticks), "--timeout", "900", timeout=1000, cwd=work,
    )  # fmt: skip


async def _archive(env: BenchEnv, work: Path, results: dict[str, Any]) -> None:
    """Export the replay's log to an archive, read it bare, replay it in a child."""
    path = work / f"{env.names.prefix}.avro"
    try:
        results["archive_export"] = await export_archive(env, path)
        results["baseline_archive_read_per_s"] = await asyncio.to_thread(bare_archive_read, path)
        results["archive_replay"] = await _child("bench.replay_run", "--archive", str(path))
    finally:
        path.unlink(missing_ok=True)


class _SampleDone(Exception):
    """Ends a profiled replay once it has folded its sample."""


async def _replay_profile(env: BenchEnv, sample: int, results: dict[str, Any]) -> None:
    """Profile the replay over its first ``sample`` records (as the gateway, apart, a sample)."""
    from hub.history.replay import replay_log

    def enough(folded: int) -> None:
        if folded >= sample:
            raise _SampleDone

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    with contextlib.suppress(_SampleDone):
        await replay_log(env.bootstrap, env.names, env.codec(), progress=enough)
    profiler.stop()
    save_profile(profiler, HERE / "profiles" / "replay.txt")
    results["replay_top_frames"] = top_frames(profiler)


async def _base(env: BenchEnv, sizes: Sizes, work: Path, results: dict[str, Any]) -> None:
    """Issue 10's measurements: Kafka's tools, gateway, replay, processors, archive, latency."""
    topic = f"{env.names.prefix}.bench.kafka"
    await asyncio.to_thread(apply_topics, env.bootstrap, [TopicSpec(topic, "bench")])
    with _phase(results, "kafka tools"):
        results["kafka_producer_per_s"] = await asyncio.to_thread(
            producer_performance, env.jars, env.bootstrap, topic, sizes.kafka_records
        )
        results["kafka_consumer_per_s"] = await asyncio.to_thread(
            consumer_performance, env.jars, env.bootstrap, topic, sizes.kafka_records
        )
    await _gateway(env, sizes, results)
    async with bench_env(work) as replay_env:
        await _history(replay_env, sizes, work, results)
    async with bench_env(work) as worker_env:
        await _worker(worker_env, sizes, work, results)
    async with bench_env(work) as latency_env:
        await _latency(latency_env, sizes, work, results)


async def _gateway(env: BenchEnv, sizes: Sizes, results: dict[str, Any]) -> None:
    """The gateway against its baselines (the pipes, the decode loop), and its profile."""
    pool = await EventPool.build(env.codec(), realistic_events(5000))
    with _phase(results, "ingest (warm-up, fill, decode, pipes, gateway, profile)"):
        await _ingest(env, pool, sizes, results)


async def _worker(env: BenchEnv, sizes: Sizes, work: Path, results: dict[str, Any]) -> None:
    """Write the ready-made log of ``sizes.processors`` events, then time the worker over it."""
    pool = await EventPool.build(env.codec(), realistic_events(5000, seed=12))
    console.log(f"writing a log of {sizes.processors} events for the worker")
    with _phase(results, "log fill (worker, archive)"):
        await fill_log(env, pool.codec, pool, sizes.processors, seed=12)
    console.log("processors (the worker)")
    with _phase(results, "processors"):
        await _processors(env, work, sizes.processors, results)


async def _latency(env: BenchEnv, sizes: Sizes, work: Path, results: dict[str, Any]) -> None:
    """End-to-end latency at 50, 200 and 1,000 events/s through ``kcr run``."""
    console.log("end-to-end latency")
    with _phase(results, "latency"):
        results["latency"] = await latency_at_rates(
            env, (50, 200, 1000), sizes.latency_seconds, work
        )


async def _crisis(work: Path, crisis: CrisisSizes, results: dict[str, Any]) -> None:
    """Issue 15's national crisis: the live scenario, then the long history."""
    async with bench_env(work) as env:
        console.log(f"national crisis: {crisis.active:,} active incidents, then the live mix at "
                    f"{', '.join(f'{r}/s for {s:.0f} s' for r, s in crisis.rates)}")  # fmt: skip
        with _phase(results, "national crisis"):
            results["national_crisis"] = await national_crisis(env, work, crisis)
    async with bench_env(work) as env:
        console.log(f"long history: {crisis.long_events:,} events, start, restart")
        with _phase(results, "long history"):
            results["long_history"] = await long_history(env, work, crisis)


async def _live_path(
    sizes: Sizes, work: Path, crisis: CrisisSizes, results: dict[str, Any]
) -> None:
    """The processors over a ready-made log, the end-to-end latency, the national crisis."""
    async with bench_env(work) as env:
        await _worker(env, sizes, work, results)
    async with bench_env(work) as env:
        await _latency(env, sizes, work, results)
    async with bench_env(work) as env:
        console.log(f"national crisis: {crisis.active:,} active incidents (no long history)")
        with _phase(results, "national crisis"):
            results["national_crisis"] = await national_crisis(env, work, crisis)


ONLY = ("national-crisis", "tick-cost", "live-path", "gateway", "history")
"""The parts ``--only`` can run alone (the national crisis includes the tick cost; the live
path is the worker over a ready-made log, the end-to-end latency and the national crisis
without its long history: what a change to the processors moves; the gateway is its ingest
against the aiokafka and librdkafka pipes; the history is the replay, the archive and the
gateway's start over one ready-made log: what issue 17's clients move)."""


async def run(
    sizes: Sizes, work: Path, crisis: CrisisSizes = FULL_CRISIS, only: str | None = None
) -> dict[str, Any]:
    """Run every measurement (or only one part: see :data:`ONLY`); return the results."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes.__dict__, "started": started}
    results["crisis_sizes"] = crisis.__dict__
    began = time.perf_counter()
    if only in (None, "national-crisis", "tick-cost"):
        console.log(f"tick cost at {', '.join(f'{n:,}' for n in crisis.tick_sizes)} active")
        with _phase(results, "tick cost"):
            results["tick_cost"] = await tick_costs(
                crisis.tick_sizes, crisis.tick_repeat, crisis.tick_budget_s
            )
    if only is None:
        async with bench_env(work) as env:  # one broker for every part
            await _base(env, sizes, work, results)
            await _crisis(work, crisis, results)
    elif only == "national-crisis":
        await _crisis(work, crisis, results)
    elif only == "live-path":
        await _live_path(sizes, work, crisis, results)
    elif only == "gateway":
        async with bench_env(work) as env:
            await _gateway(env, sizes, results)
    elif only == "history":
        async with bench_env(work) as env:
            await _history(env, sizes, work, results)
    results["load_1min_after"] = round(os.getloadavg()[0], 2)
    results["load_after"] = load_averages()
    results["wall_seconds"] = round(time.perf_counter() - began, 1)
    results["goals"] = goals(results)
    return results


REPLAY_PER_S = 1_000_000 / 60  # "1,000,000 events in under 60 s", judged by rate at any size


def goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 10's, 15's and 17's goals: each one's measured value, its target, whether it is met.

    Only the goals of the parts that ran are judged.
    """
    out: dict[str, dict[str, Any]] = {}

    def goal(name: str, value: float, target: float, below: bool = False) -> None:
        met = value < target if below else value >= target
        out[name] = {"value": value, "target": target, "met": met}

    if "gateway_per_s" in results:
        goal("gateway_ratio_to_pipe", results["gateway_per_s"] / results["baseline_pipe_per_s"],
             0.40)  # fmt: skip
    if "processors" in results:
        goal("processors_per_s", results["processors"]["events_per_s"], 10_000)
    if "replay" in results:
        if "baseline_decode_per_s" in results:
            decode = results["baseline_decode_per_s"]
            goal("replay_ratio_to_decode", results["replay"]["events_per_s"] / decode, 0.50)
        goal("replay_per_s", results["replay"]["events_per_s"], REPLAY_PER_S)
    if "archive_replay" in results:
        goal("archive_replay_per_s", results["archive_replay"]["events_per_s"], REPLAY_PER_S)
    if "baseline_consume_decode" in results:
        bare = results["baseline_consume_decode"]["events_per_s"]
        goal("replay_ratio_to_consume_decode", results["replay"]["events_per_s"] / bare, 0.50)
    for path, stats in results.get("latency", {}).get("200", {}).items():
        if stats.get("count"):
            goal(f"e2e_{path}_p99_ms_at_200", stats["p99_ms"], 250, below=True)
    out.update(crisis_goals(results))
    out.update(issue17_goals(results))
    return out


def _met(results: dict[str, Any], name: str) -> str:
    found = results["goals"].get(name)
    if found is None:
        return ""
    note = f" ({found['note']})" if found.get("note") else ""
    return ("yes" if found["met"] else "NO: missed") + note


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"


def _latency_text(stats: dict[str, Any]) -> str:
    def one(name: str) -> str:
        at_least = stats.get(f"{name}_at_least_ms")
        if stats.get(f"{name}_ms") is None and at_least is not None:
            return f"{name} ≥ {at_least:,.0f}"
        return f"{name} {_ms(stats.get(f'{name}_ms'))}"

    return f"{one('p50')} / {one('p95')} / {one('p99')} / max {_ms(stats.get('max_ms'))} ms"


def _crisis_rows(t: Table, results: dict[str, Any]) -> None:
    """Issue 15's rows: tick cost, the national crisis, the long history."""
    ticks = results.get("tick_cost") or {}
    for point in ticks.get("points", []):
        active = f"tick after a change @ {point['active']:,} active"
        if "median_s" in point:
            t.add_row(active, f"{point['median_s'] * 1000:,.1f} ms",
                      f"first tick {point['warm_tick_s'] * 1000:,.0f} ms",
                      f"{point['median_s'] / ticks['base_s']:.1f}x" if "base_s" in ticks else "",
                      "", "")  # fmt: skip
        else:
            why = (
                point.get("skipped")
                or point.get("error", "")[-80:]
                or (
                    f"{point.get('unfinished')}: unfinished after "
                    f"{point['unfinished_after_s']:.0f} s"
                )
            )
            t.add_row(active, "not measured", why, "", "", "")
    if "base_s" in ticks:
        ratio = ticks.get("ratio")
        t.add_row("tick cost: largest / 10 active", "?" if ratio is None else f"{ratio:.1f}x",
                  "", "", ISSUE_15_GOALS["tick_cost_ratio"],
                  _met(results, "tick_cost_ratio"))  # fmt: skip
    if "processors" in results:
        t.add_row("processors, 1 worker (issue 15)",
                  f"{results['processors']['events_per_s']:,.0f}/s", "", "",
                  ISSUE_15_GOALS["processors_per_s_issue15"],
                  _met(results, "processors_per_s_issue15"))  # fmt: skip
    crisis = results.get("national_crisis")
    if crisis:
        t.add_row("national crisis: history", f"{crisis['active_incidents']:,} active incidents",
                  f"written in {crisis['history_fill_s']:.0f} s", "", "", "")  # fmt: skip
        t.add_row("start to live (first start)", f"{_ms(crisis.get('start_to_live_s'))} s",
                  crisis.get("not_live", ""), "", "", "")  # fmt: skip
        for rate, run in (crisis.get("rates") or {}).items():
            view, outbox = run["view"], run["outbox"]
            name = f"nc_view_p99_ms_at_{rate}"
            t.add_row(f"nc incident → view @ {rate}/s", _latency_text(view),
                      f"{view['count']:,} of {view['sent']:,} seen", "",
                      ISSUE_15_GOALS.get(name, ""), _met(results, name))  # fmt: skip
            t.add_row(f"nc incident → NCC outbox @ {rate}/s", _latency_text(outbox),
                      f"{outbox['count']:,} of {outbox['sent']:,} seen", "", "", "")  # fmt: skip
            lag, behind = run["lag"], " — BEHIND" if run["behind"] else ""
            t.add_row(f"nc processors lag @ {rate}/s",
                      f"slope {_ms(lag['slope_per_s'])}/s, max {_ms(lag['max'])}{behind}",
                      f"over {run['seconds']:.0f} s", "",
                      ISSUE_15_GOALS["nc_lag_slope_at_1000"] if rate == "1000" else "",
                      _met(results, "nc_lag_slope_at_1000") if rate == "1000" else "")  # fmt: skip
            state = run["state"]
            t.add_row(f"nc state written @ {rate}/s", f"{state['bytes_per_s']:,.0f} bytes/s",
                      f"{state['records']:,} records, largest {state['largest']:,} B",
                      "", "", "")  # fmt: skip
        idle = crisis.get("idle")
        if idle:
            t.add_row("idle CPU (processors)", f"{idle['cpu_percent']:.1f} %",
                      f"{idle['measured']}, {idle['seconds']:.0f} s", "",
                      ISSUE_15_GOALS["idle_cpu_percent"],
                      _met(results, "idle_cpu_percent"))  # fmt: skip
        if "restart_to_live_s" in crisis:
            t.add_row("restart to live (national crisis)",
                      f"{_ms(crisis['restart_to_live_s'])} s", "", "", "", "")  # fmt: skip
        t.add_row("largest state record (national crisis)",
                  f"{_ms(crisis.get('largest_state_record'))} B",
                  f"{crisis.get('state_records', 0):,} records", "", "", "")  # fmt: skip
    long = results.get("long_history")
    if long:
        t.add_row("long history", f"{long['events']:,} events",
                  f"written in {long['history_fill_s']:.0f} s", "", "", "")  # fmt: skip
        covered = long.get("records_covered")
        t.add_row("start to live (long history)", f"{_ms(long.get('start_to_live_s'))} s",
                  f"{'?' if covered is None else f'{covered:,}'} of "
                  f"{long.get('log_records') or 0:,} records covered", "", "", "")  # fmt: skip
        t.add_row("restart to live (long history)", f"{_ms(long.get('restart_to_live_s'))} s",
                  long.get("restart_note", ""), "", ISSUE_15_GOALS["restart_to_live_s"],
                  _met(results, "restart_to_live_s"))  # fmt: skip
        t.add_row("largest state record (long history)",
                  f"{_ms(long.get('largest_state_record'))} B",
                  f"{long.get('state_records', 0):,} records", "",
                  ISSUE_15_GOALS["largest_state_record_bytes"],
                  _met(results, "largest_state_record_bytes"))  # fmt: skip


def table(results: dict[str, Any]) -> Table:
    """The results as a table, each hub figure with its ratio to its baseline and its goal."""
    t = Table("measure", "value", "baseline", "ratio", "goal", "meets goal")
    if "gateway_per_s" in results:
        _gateway_rows(t, results)
    if "replay" in results:
        _history_rows(t, results)
    if "processors" in results:
        _processor_rows(t, results)
    if "kafka_producer_per_s" in results:
        t.add_row("kafka ProducerPerformance", f"{results['kafka_producer_per_s']:,.0f}/s",
                  "", "", "", "")  # fmt: skip
        t.add_row("kafka ConsumerPerformance", f"{results['kafka_consumer_per_s']:,.0f}/s",
                  "", "", "", "")  # fmt: skip
    if "latency" in results:
        _latency_rows(t, results)
    _crisis_rows(t, results)
    return t


def _gateway_rows(t: Table, results: dict[str, Any]) -> None:
    """The gateway against the bare pipes (aiokafka; librdkafka plain and transactional)."""
    pipe, gateway = results["baseline_pipe_per_s"], results["gateway_per_s"]
    t.add_row("gateway ingest (events/s)", f"{gateway:,.0f}", f"aiokafka pipe {pipe:,.0f}",
              f"{gateway / pipe:.0%}", "≥ 40 % of pipe",
              _met(results, "gateway_ratio_to_pipe"))  # fmt: skip
    rdkafka = results.get("baseline_rdkafka_pipe") or {}
    for mode, stats in rdkafka.items():
        rate = stats["records_per_s"]
        t.add_row(f"bare librdkafka pipe, {mode} (records/s)", f"{rate:,.0f}",
                  f"aiokafka pipe {pipe:,.0f}", f"{rate / pipe:.1f}x", "", "")  # fmt: skip
    if "transactional" in rdkafka:
        txn = rdkafka["transactional"]["records_per_s"]
        t.add_row("gateway vs transactional librdkafka pipe", f"{gateway:,.0f}",
                  f"txn pipe {txn:,.0f}", f"{gateway / txn:.0%}",
                  ISSUE_17_GOALS["gateway_ratio_to_txn_pipe"],
                  _met(results, "gateway_ratio_to_txn_pipe"))  # fmt: skip
    t.add_row("gateway ingest (issue 17)", f"{gateway:,.0f}/s", "", "",
              ISSUE_17_GOALS["gateway_per_s"], _met(results, "gateway_per_s"))  # fmt: skip
    if "gateway_seconds" in results:
        t.add_row("gateway measured over", f"{results['gateway_seconds']:.0f} s",
                  f"{results.get('ingest_events', 0):,} events", "",
                  ISSUE_17_GOALS["gateway_sustained_s"],
                  _met(results, "gateway_sustained_s"))  # fmt: skip
    if "baseline_decode_per_s" in results:
        t.add_row("bare fastavro decode (records/s)", f"{results['baseline_decode_per_s']:,.0f}",
                  "", "", "", "")  # fmt: skip
    t.add_row("gateway: top frames", "\n".join(results.get("gateway_top_frames", [])),
              "", "", "", "")  # fmt: skip


def _history_rows(t: Table, results: dict[str, Any]) -> None:
    """The replay, the archive and the gateway's start over one ready-made log."""
    replay = results["replay"]
    if "baseline_consume_decode" in results:
        bare = results["baseline_consume_decode"]["events_per_s"]
        t.add_row("replay vs bare consume + decode (events/s)", f"{replay['events_per_s']:,.0f}",
                  f"librdkafka + fastavro {bare:,.0f}", f"{replay['events_per_s'] / bare:.0%}",
                  "≥ 50 % of consume + decode",
                  _met(results, "replay_ratio_to_consume_decode"))  # fmt: skip
    if "baseline_decode_per_s" in results:
        decode = results["baseline_decode_per_s"]
        t.add_row("replay (events/s)", f"{replay['events_per_s']:,.0f}", f"decode {decode:,.0f}",
                  f"{replay['events_per_s'] / decode:.0%}", "≥ 50 % of decode",
                  _met(results, "replay_ratio_to_decode"))  # fmt: skip
    t.add_row("replay time / peak RSS",
              f"{replay['seconds']:.1f} s / {replay['peak_rss_mb']:.0f} MB",
              f"{replay['events']:,} events", "", "1M in < 60 s (by rate)",
              _met(results, "replay_per_s"))  # fmt: skip
    million = per_million_s(replay["events"], replay["events_per_s"])
    t.add_row("replay: 1,000,000 events (issue 17)", f"{million:.1f} s", "", "",
              ISSUE_17_GOALS["replay_1m_s"], _met(results, "replay_1m_s"))  # fmt: skip
    t.add_row("replay peak RSS (issue 17)", f"{replay['peak_rss_mb']:.0f} MB", "", "",
              ISSUE_17_GOALS["replay_peak_rss_mb"],
              _met(results, "replay_peak_rss_mb"))  # fmt: skip
    if "archive_replay" in results:
        _archive_rows(t, results)
    start = results.get("gateway_start")
    if start:
        for name, what in (("restart", "gateway start → ready"),
                           ("first", "gateway first start → ready")):  # fmt: skip
            run = start[name]
            t.add_row(f"{what} ({start['log_records']:,}-event log)", f"{run['seconds']:.1f} s",
                      f"window {run['dedupe_ids']:,} ids {run['dedupe_s']:.1f} s, "
                      f"owners {run['owners']:,} {run['ownership_s']:.1f} s", "",
                      ISSUE_17_GOALS["gateway_start_s"] if name == "restart" else "",
                      _met(results, "gateway_start_s") if name == "restart" else "")  # fmt: skip
    t.add_row("replay: top frames", "\n".join(results.get("replay_top_frames", [])),
              "", "", "", "")  # fmt: skip


def _archive_rows(t: Table, results: dict[str, Any]) -> None:
    """The archive's export, its bare container read and its replay."""
    archive, export = results["archive_replay"], results["archive_export"]
    read = results["baseline_archive_read_per_s"]
    t.add_row("archive replay (events/s)", f"{archive['events_per_s']:,.0f}",
              f"container read {read:,.0f}", f"{archive['events_per_s'] / read:.0%}",
              "1M in < 60 s (by rate)", _met(results, "archive_replay_per_s"))  # fmt: skip
    t.add_row("archive replay (issue 17)", f"{archive['events_per_s']:,.0f}/s", "", "",
              ISSUE_17_GOALS["archive_replay_per_s_issue17"],
              _met(results, "archive_replay_per_s_issue17"))  # fmt: skip
    t.add_row("archive replay time / peak RSS",
              f"{archive['seconds']:.1f} s / {archive['peak_rss_mb']:.0f} MB",
              f"{archive['events']:,} events", "", "", "")  # fmt: skip
    t.add_row("archive export (events/s)", f"{export['events_per_s']:,.0f}",
              f"{export['file_mb']:.1f} MB file", "", "", "")  # fmt: skip


def _processor_rows(t: Table, results: dict[str, Any]) -> None:
    """One Faust worker over a ready-made log (issue 10's rows)."""
    proc = results["processors"]
    replay = results.get("replay")
    t.add_row("processors, 1 worker (events/s)", f"{proc['events_per_s']:,.0f}",
              f"replay {replay['events_per_s']:,.0f}" if replay else "",
              f"{proc['events_per_s'] / replay['events_per_s']:.0%}" if replay else "",
              "≥ 10,000/s", _met(results, "processors_per_s"))  # fmt: skip
    t.add_row("processors time / peak RSS / CPU",
              f"{proc['seconds']:.1f} s / {proc['peak_rss_mb']:.0f} MB / "
              f"{proc['cpu_seconds']:.1f} s", f"{proc['events']:,} events, {proc['ticks']:,} ticks",
              "", "", "")  # fmt: skip
    t.add_row("processors startup (not in the rate)", f"{proc['startup_seconds']:.1f} s",
              "start, group join, 1st fetch", "", "", "")  # fmt: skip


def _latency_rows(t: Table, results: dict[str, Any]) -> None:
    """The end-to-end latency at each rate (incident published → view, → NCC outbox)."""
    for rate, paths in results["latency"].items():
        for path, stats in paths.items():
            if stats.get("count"):
                at_200 = rate == "200"
                t.add_row(f"e2e {path} latency @ {rate}/s",
                          f"p50 {stats['p50_ms']:.0f} / p95 {stats['p95_ms']:.0f} / "
                          f"p99 {stats['p99_ms']:.0f} / max {stats['max_ms']:.0f} ms",
                          f"{stats['count']} samples", "",
                          "p99 < 250 ms" if at_200 else "",
                          _met(results, f"e2e_{path}_p99_ms_at_200") if at_200 else "")  # fmt: skip


def main() -> None:
    """Parse the options, run, write ``bench/results.json`` and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--only", choices=ONLY, help="run one part alone")
    parser.add_argument(
        "--tag", help="added to the published file names, to keep two runs of one day apart"
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    work = HERE.parent / ".kcr" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    crisis = QUICK_CRISIS if args.quick else FULL_CRISIS
    results = asyncio.run(run(QUICK if args.quick else FULL, work, crisis, args.only))
    text = json.dumps(results, indent=2)
    args.out.write_text(text, encoding="utf-8")
    stem = time.strftime("%Y-%m-%d") + ("" if args.only is None else f"-{args.only}")
    stem += "" if args.tag is None else f"-{args.tag}"
    folder = HERE / ("results" if args.quick else "published")  # quick runs are not published
    if not args.quick:
        (folder / f"{stem}.json").write_text(text, encoding="utf-8")
    for plot in write_plots(results, folder, stem):
        console.log(f"plot written to {plot}")
    out = Console()
    if out.width < 160:  # the frames' names and the goals would be cut or wrapped to pieces
        out = Console(width=160)
    out.print(table(results))
    box = results["machine"]
    before = box.get("load_before", box["load_1min_before"])
    after = results.get("load_after", results["load_1min_after"])
    out.print(f"{box['cpus']} CPUs, {box['processor']}, Python {box['python']}, "
              f"{box['platform']}; load (1/5/15 min) {before} before, {after} after; "
              f"{results['wall_seconds']:.0f} s in all")  # fmt: skip
    console.log(f"results written to {args.out}")


if __name__ == "__main__":
    main()
