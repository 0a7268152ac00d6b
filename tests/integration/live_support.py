"""Shared by the live-hub tests: a hub environment, a partner simulator, readers of outputs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.clock import ClockTicked
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import EscalationEvent, View
from hub.domain import testing as given
from hub.domain._common import packaged_text
from hub.domain.thresholds import parse_thresholds
from hub.history.readers import latest_by_key, read_topic
from hub.history.replay import ReplayWindow, replay_log
from hub.kafka.reading import Record, bounded_consumer, partitions_of, read_until_end
from hub.topics.declaration import TopicNames

SILENCE_SECONDS = 6
EXPECTED = (*load_registry().region_ids(), "ncc", "locc")


def thresholds_file(tmp_path: Path) -> Path:
    """Escalation thresholds with a silence limit of seconds instead of minutes."""
    text = packaged_text("escalation.toml")
    text = text.replace("max_silence_minutes = 5", f"max_silence_minutes = {SILENCE_SECONDS / 60}")
    path = tmp_path / "escalation.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Crisis:
    """Publishes a partner's events now, and keeps every expected organisation heartbeating."""

    def __init__(self, bootstrap: str, names: TopicNames, codec: EventCodec) -> None:
        self.bootstrap, self.names, self.codec = bootstrap, names, codec
        self.quiet: set[str] = set()
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)

    async def send(self, event: EventEnvelope) -> None:
        """Publish ``event`` to its source's ingress topic."""
        value = await self.codec.encode(event)
        await self.producer.send_and_wait(
            self.names.ingress(event.source), value, key=event.subject.encode(),
            headers=to_ce_headers(event),
        )  # fmt: skip

    async def heartbeats(self) -> None:
        """Every two seconds a heartbeat from each expected organisation that is not quiet."""
        while True:
            now = datetime.now(UTC)
            for org in EXPECTED:
                if org not in self.quiet:
                    await self.send(given.heartbeat(now, org))
            await asyncio.sleep(2)


@contextlib.asynccontextmanager
async def crisis(bootstrap: str, names: TopicNames, url: str) -> AsyncIterator[Crisis]:
    """A :class:`Crisis` with its heartbeats running for the duration of the block."""
    scripted = Crisis(bootstrap, names, EventCodec(HttpSchemaRegistry(url)))
    await scripted.codec.register_all()  # ids cached: partners keep sending while the hub is down
    await scripted.producer.start()
    beating = asyncio.create_task(scripted.heartbeats())
    try:
        yield scripted
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        await scripted.producer.stop()


def reader(env: dict[str, str]) -> tuple[TopicNames, EventCodec]:
    """The topic names and a codec for the hub ``env`` describes."""
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    return TopicNames(env["KCR_TOPIC_PREFIX"]), codec


async def views(env: dict[str, str], kind: str) -> dict[str, BaseModel]:
    """The latest record per key of view ``kind``."""
    names, codec = reader(env)
    return await latest_by_key(env["KCR_BOOTSTRAP"], names.view(kind), codec)


async def signals_of(env: dict[str, str]) -> list[EscalationEvent]:
    """Every escalation event published so far."""
    names, codec = reader(env)
    items = await read_topic(env["KCR_BOOTSTRAP"], names.signals, codec)
    return [item for _, item in items if isinstance(item, EscalationEvent)]


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:
    """Poll the async ``check`` until it returns True."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


async def outbox(env: dict[str, str], org: str) -> list[BaseModel]:
    """Return everything in ``org``'s outbox so far."""
    names, codec = reader(env)
    return [item for _, item in await read_topic(env["KCR_BOOTSTRAP"], names.outbox(org), codec)]


async def assert_live_equals_replay(env: dict[str, str], names: TopicNames) -> None:
    """The views and signals published up to the last tick equal a replay up to that tick."""
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    records = [
        item
        for kind in ("situation", "capacity")
        for _, item in await read_topic(env["KCR_BOOTSTRAP"], names.view(kind), codec)
    ]
    signals = await signals_of(env)
    views = [record for record in records if isinstance(record, View)]
    last_tick = max(view.tick for view in views)
    live = {view.key: view for view in views}  # the latest record per key, as compaction keeps
    thresholds_file = Path(env["KCR_ESCALATION_FILE"])
    thresholds = parse_thresholds(await asyncio.to_thread(thresholds_file.read_text, "utf-8"))
    window = ReplayWindow(until_tick=last_tick)
    replayed = await replay_log(env["KCR_BOOTSTRAP"], names, codec, window, thresholds)
    replay_views = {key: view for _, key, view in replayed.projector.projection.published_views()}
    assert replay_views == live
    replay_signals = [s.id for outputs in replayed.outputs for s in outputs.signals]
    # a killed worker republishes the outputs of ticks its last snapshot lacked: same ids
    live_signals = list(dict.fromkeys(s.id for s in signals if _tick_of(s) <= last_tick))
    only_replay = sorted(set(replay_signals) - set(live_signals))
    only_live = sorted(set(live_signals) - set(replay_signals))
    assert replay_signals == live_signals, (
        f"up to tick {last_tick}: only in the replay {only_replay}; only live {only_live}"
    )


def _tick_of(signal: EscalationEvent) -> int:
    """The tick an escalation event was produced at (its id ends in ``:<tick>``)."""
    return int(signal.id.rsplit(":", 1)[1])


async def assert_ticks_count_the_log(env: dict[str, str], names: TopicNames) -> None:
    """The clock's ticks count, per log partition, exactly the committed records it covers."""
    _, codec = reader(env)
    ticks = [
        item
        for _, item in await read_topic(env["KCR_BOOTSTRAP"], names.log("clock"), codec)
        if isinstance(item, ClockTicked)
    ]
    counted: dict[tuple[str, int], int] = {}
    last_mark: dict[tuple[str, int], int] = {}
    for tick in ticks:
        for mark in tick.data.covers:
            where = (mark.topic, mark.partition)
            counted[where] = counted.get(where, 0) + (mark.records or 0)
            last_mark[where] = mark.offset
    held: dict[tuple[str, int], int] = {}
    for family in FAMILIES:
        if family == "clock":
            continue
        topic = names.log(family)
        for record in await raw_records(env["KCR_BOOTSTRAP"], topic):
            where = (record.topic, record.partition)
            if record.offset <= last_mark.get(where, -1):
                held[where] = held.get(where, 0) + 1
    assert {w: n for w, n in counted.items() if n} == {w: n for w, n in held.items() if n}


async def raw_records(bootstrap: str, topic: str) -> list[Record]:
    """Every committed record of ``topic``, undecoded."""
    consumer = bounded_consumer(bootstrap)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, [topic])
        return [r async for batch in read_until_end(consumer, partitions) for r in batch]
    finally:
        await consumer.stop()
