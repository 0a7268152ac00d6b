"""Write a ready-made log: events straight into ``kcr.log.*`` with clock ticks covering them.

Replay benchmarks need a big log; going through the gateway would measure the gateway again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from bench.env import BenchEnv
from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark
from hub.contracts.events.envelope import EventEnvelope

__all__ = ["fill_log"]


async def fill_log(
    env: BenchEnv, codec: EventCodec, events: Iterable[EventEnvelope], per_tick: int = 1000
) -> int:
    """Produce ``events`` (stamped as ingested) to the log, a tick after every ``per_tick``."""
    await codec.register_all()
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, linger_ms=20,
                                max_batch_size=256 * 1024)  # fmt: skip
    await producer.start()
    marks: dict[tuple[str, int], int] = {}
    count, tick = 0, 0
    try:
        pending: list[tuple[str, asyncio.Future[object]]] = []
        for event in events:
            stamped = event.with_ingested_at(datetime.now(UTC))
            topic = env.names.log(stamped.family)
            value = await codec.encode(stamped)
            future = await producer.send(topic, value, key=stamped.subject.encode(),
                                         headers=to_ce_headers(stamped))  # fmt: skip
            pending.append((topic, future))
            count += 1
            if count % per_tick == 0:
                await _mark(pending, marks)
                await _tick(env, codec, producer, tick, marks)
                tick += 1
        await _mark(pending, marks)
        await _tick(env, codec, producer, tick, marks)
    finally:
        await producer.stop()
    return count


async def _mark(
    pending: list[tuple[str, asyncio.Future[object]]], marks: dict[tuple[str, int], int]
) -> None:
    for topic, future in pending:
        metadata = await future
        position = (topic, metadata.partition)  # type: ignore[attr-defined]
        marks[position] = max(marks.get(position, -1), metadata.offset)  # type: ignore[attr-defined]
    pending.clear()


async def _tick(
    env: BenchEnv,
    codec: EventCodec,
    producer: AIOKafkaProducer,
    number: int,
    marks: dict[tuple[str, int], int],
) -> None:
    covers = tuple(LogMark(topic=t, partition=p, offset=o) for (t, p), o in sorted(marks.items()))
    tick = ClockTicked(id=f"bench-clock-{number}", time=datetime.now(UTC),
                       data=ClockTickedData(tick=number, covers=covers))  # fmt: skip
    await producer.send(env.names.log("clock"), await codec.encode(tick), key=b"clock",
                        headers=to_ce_headers(tick))  # fmt: skip
