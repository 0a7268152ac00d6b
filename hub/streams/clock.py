"""The hub's clock: ticks on ``kcr.log.clock`` that say what time it is and what they cover.

The clock follows every other log partition (headers are enough, nothing is decoded) and, every
``interval`` seconds when the log moved, or every ``heartbeat`` seconds regardless, appends a
:class:`ClockTicked` whose ``covers`` names, per partition, the last record it has seen, the
previous tick's mark and how many records lie in between. Workers evaluate a tick only after
applying exactly those records (see :mod:`hub.processing.barrier`), so replaying the log
reproduces every live output. Run one clock per hub.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.logs import get_logger
from hub.topics.declaration import TopicNames

__all__ = ["ClockService", "ClockSettings"]

_log = get_logger("hub.clock")
_LOOKBACK = 64  # records read back on start to find the last tick


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClockSettings:
    """How often the clock ticks."""

    interval: float = 0.2
    heartbeat: float = 2.0
    client_config: Mapping[str, Any] = field(default_factory=dict)


class ClockService:
    """Appends clock ticks to the log while ``stop`` is not set."""

    def __init__(
        self,
        bootstrap: str,
        names: TopicNames,
        codec: EventCodec,
        settings: ClockSettings | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Prepare a clock for the hub whose topics are ``names``."""
        self.bootstrap = bootstrap
        self.names = names
        self.codec = codec
        self.settings = settings or ClockSettings()
        self.now = now
        self.marks: dict[TopicPartition, int] = {}
        self.ticked_marks: dict[TopicPartition, int] = {}  # the marks of the last tick
        self.counts: dict[TopicPartition, int] = {}  # records read since the last tick
        self.next_tick = 0

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Tick until ``stop`` is set."""
        config = dict(self.settings.client_config)
        topics = [self.names.log(f) for f in FAMILIES if f != "clock"]
        partitions = await partitions_of(self.bootstrap, topics, config)
        await self._recover(partitions)
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, enable_idempotence=True, **config
        )
        consumer = bounded_consumer(self.bootstrap, config)
        await producer.start()
        await consumer.start()
        try:
            consumer.assign(partitions)
            for tp in partitions:
                consumer.seek(tp, self.marks.get(tp, -1) + 1)
            if ready is not None:
                ready.set()
            _log.info("clock.started", next_tick=self.next_tick, partitions=len(partitions))
            await self._loop(stop, consumer, producer)
        finally:
            await consumer.stop()
            await producer.stop()

    async def _loop(
        self, stop: asyncio.Event, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer
    ) -> None:
        loop = asyncio.get_running_loop()
        last_tick_at = float("-inf")
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=int(self.settings.interval * 1000))
            for tp, records in batch.items():
                if records:
                    self.marks[tp] = records[-1].offset
                    self.counts[tp] = self.counts.get(tp, 0) + len(records)
            elapsed = loop.time() - last_tick_at
            moved = self.marks != self.ticked_marks
            if (moved and elapsed >= self.settings.interval) or elapsed >= self.settings.heartbeat:
                try:
                    await self._tick(producer)
                except KafkaError as error:  # the broker is away: tick again when it is back
                    _log.warning("clock.tick_failed", tick=self.next_tick, error=repr(error))
                last_tick_at = loop.time()

    async def _tick(self, producer: AIOKafkaProducer) -> None:
        covers = tuple(
            LogMark(
                topic=tp.topic,
                partition=tp.partition,
                offset=offset,
                after=self.ticked_marks.get(tp, -1),
                records=self.counts.get(tp, 0),
            )
            for tp, offset in sorted(self.marks.items())
        )
        tick = ClockTicked(
            id=f"{self.names.prefix}-clock-{self.next_tick}",
            time=self.now(),
            data=ClockTickedData(tick=self.next_tick, covers=covers),
        )
        value = await self.codec.encode(tick)
        await producer.send_and_wait(
            self.names.log("clock"), value, key=b"clock", headers=to_ce_headers(tick)
        )
        # only a tick the broker took counts: a failed one is sent again with the same number
        # (should the failed one have been written after all, the barrier drops the repeat)
        self.next_tick += 1
        self.ticked_marks = dict(self.marks)
        self.counts.clear()

    async def _recover(self, partitions: list[TopicPartition]) -> None:
        """Continue the tick numbering and the marks from the last tick in the log.

        The clock then reads on from those marks, so its first tick counts every record that
        came since the last one (partitions the last tick did not name are read from their
        beginning).
        """
        consumer = bounded_consumer(self.bootstrap, self.settings.client_config)
        await consumer.start()
        try:
            config = self.settings.client_config
            clock = await partitions_of(self.bootstrap, [self.names.log("clock")], config)
            last: ClockTicked | None = None
            for record in await _tail(consumer, clock):
                tick = await self.codec.decode_event(record.value)
                if isinstance(tick, ClockTicked) and (
                    last is None or tick.data.tick > last.data.tick
                ):
                    last = tick
        finally:
            await consumer.stop()
        if last is not None:
            self.next_tick = last.data.tick + 1
            wanted = set(partitions)
            for mark in last.data.covers:
                tp = TopicPartition(mark.topic, mark.partition)
                if tp in wanted:
                    self.marks[tp] = mark.offset
        self.ticked_marks = dict(self.marks)


async def _tail(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> list[Any]:
    """Return the last few committed records of ``partitions`` (transaction markers skipped)."""
    if not partitions:
        return []
    consumer.assign(partitions)
    ends = await consumer.end_offsets(partitions)
    begins = await consumer.beginning_offsets(partitions)
    records: list[Any] = []
    for tp in partitions:
        start = max(begins[tp], ends[tp] - _LOOKBACK)
        if start >= ends[tp]:
            continue
        records += [
            r
            async for batch in read_until_end(consumer, [tp], start_offsets={tp: start})
            for r in batch
        ]
    return records
