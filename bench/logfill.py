"""Write a ready-made log: events straight into ``kcr.log.*`` with clock ticks covering them.

Replay benchmarks need a big log; going through the gateway would measure the gateway again.
Each tick carries, per partition, its mark and the count of records since the previous mark,
as the hub's clock writes them, so the replay's barrier checks the log is complete.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from confluent_kafka import KafkaError, Message

from bench.env import BenchEnv
from bench.fastfill import EncodedEvent, EventPool, fast_producer, now_utc, produce
from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark

__all__ = ["fill_log", "fill_log_with"]

Position = tuple[str, int]


class _Marks:
    """The newest offset and the records delivered per partition, from delivery reports."""

    def __init__(self) -> None:
        self.offsets: dict[Position, int] = {}
        self.since: dict[Position, int] = {}
        self.failed: list[str] = []

    def delivered(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self.failed.append(str(error))
            return
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        if topic is None or partition is None or offset is None:
            self.failed.append("a delivery report without topic, partition or offset")
            return
        position = (topic, partition)
        self.offsets[position] = max(self.offsets.get(position, -1), offset)
        self.since[position] = self.since.get(position, 0) + 1


async def fill_log(
    env: BenchEnv, codec: EventCodec, pool: EventPool, count: int, per_tick: int = 1000,
    seed: int = 11,
) -> int:  # fmt: skip
    """Produce ``count`` pool events (stamped as ingested) to the log, a tick every ``per_tick``."""
    events = pool.encoded(count, seed=seed, ingested_at=now_utc())
    return await fill_log_with(env, codec, events, count, per_tick)


async def fill_log_with(
    env: BenchEnv, codec: EventCodec, events: Iterable[EncodedEvent], count: int,
    per_tick: int = 1000,
) -> int:  # fmt: skip
    """Produce ``events`` (``count`` of them, stamped as ingested) to the log, with ticks."""
    return await asyncio.to_thread(_fill, env, codec, events, count, per_tick,
                                   asyncio.get_running_loop())  # fmt: skip


def _fill(
    env: BenchEnv, codec: EventCodec, events: Iterable[EncodedEvent], count: int, per_tick: int,
    loop: asyncio.AbstractEventLoop,
) -> int:  # fmt: skip
    producer = fast_producer(env.bootstrap)
    marks, previous = _Marks(), dict[Position, int]()
    written, tick = 0, 0
    for event in events:
        produce(producer, env.names.log(event.family), event.value, event.key, event.headers,
                 marks.delivered)  # fmt: skip
        written += 1
        if written % per_tick == 0 or written == count:
            producer.flush()
            if marks.failed:
                raise RuntimeError(f"log fill failed: {marks.failed[:3]}")
            value, headers = asyncio.run_coroutine_threadsafe(
                _tick_record(codec, tick, marks, previous), loop
            ).result()
            produce(producer, env.names.log("clock"), value, b"clock", headers, None)
            previous = dict(marks.offsets)
            marks.since.clear()
            tick += 1
    producer.flush()
    return written


async def _tick_record(
    codec: EventCodec, number: int, marks: _Marks, previous: dict[Position, int]
) -> tuple[bytes, list[tuple[str, bytes]]]:
    covers = tuple(
        LogMark(
            topic=t,
            partition=p,
            offset=o,
            after=previous.get((t, p), -1),
            records=marks.since.get((t, p), 0),
        )
        for (t, p), o in sorted(marks.offsets.items())
    )
    tick = ClockTicked(id=f"bench-clock-{number}", time=now_utc(),
                       data=ClockTickedData(tick=number, covers=covers))  # fmt: skip
    return await codec.encode(tick), to_ce_headers(tick)
