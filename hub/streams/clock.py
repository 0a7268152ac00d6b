"""The hub's clock: ticks on ``kcr.log.clock`` that say what time it is and what they cover.

The clock follows every other log partition (headers are enough, nothing is decoded) and
appends a :class:`ClockTicked` whose ``covers`` names, per partition, the last record it has
seen, the previous tick's mark and how many records lie in between. Workers evaluate a tick only
after applying exactly those records (see :mod:`hub.processing.barrier`), so replaying the log
reproduces every live output, however often the clock ticks. Run one clock per hub.

When ticks come is decided by :class:`TickPacer`: soon after new committed records are seen
(``linger`` seconds later, so a burst is covered by one tick), never closer than ``interval``
seconds to the previous tick (so a heavy load gives at most ``1 / interval`` ticks a second,
not one per record), and every ``heartbeat`` seconds regardless. Between ticks the clock waits
in the consumer's fetch (:class:`LogFollower`), so an idle clock costs no CPU.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark
from hub.kafka import aio
from hub.kafka.aio import AIOKafkaConsumer, KafkaError, TopicPartition
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.logs import get_logger
from hub.topics.declaration import TopicNames

__all__ = ["ClockService", "ClockSettings", "LogFollower", "Seen", "TickPacer"]

_log = get_logger("hub.clock")
_LOOKBACK = 64  # records read back on start to find the last tick


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClockSettings:
    """When the clock ticks (all in seconds).

    ``linger``: how long after it first sees new records the clock waits for more before it
    ticks, so a burst is covered by one tick. ``interval``: the shortest time between two ticks
    (the floor that bounds the tick rate under load). ``heartbeat``: the longest time between
    two ticks, records or not (time-based rules need time to pass on an idle log). ``retry``:
    the pause before a tick the broker refused is sent again.
    """

    interval: float = 0.05
    heartbeat: float = 2.0
    client_config: Mapping[str, Any] = field(default_factory=dict)
    linger: float = 0.01
    retry: float = 0.2


class Seen(NamedTuple):
    """New committed records of one log partition: the last one's offset and how many."""

    offset: int
    records: int


class LogFollower(Protocol):
    """Where the clock reads the log: what is new since the last fetch, with a wait."""

    async def fetch(self, wait: float) -> Mapping[TopicPartition, Seen]:
        """Return what is new per partition, waiting up to ``wait`` seconds for something.

        Returns at once when records are at hand; an empty mapping once ``wait`` passed
        without any.
        """
        ...


class _KafkaFollower:
    """A :class:`LogFollower` over an assigned, read-committed consumer (its fetch waits)."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self.consumer = consumer

    async def fetch(self, wait: float) -> Mapping[TopicPartition, Seen]:
        batch = await self.consumer.getmany(timeout_ms=math.ceil(max(wait, 0.0) * 1000))
        return {
            tp: Seen(records[-1].offset, len(records)) for tp, records in batch.items() if records
        }


@dataclass
class TickPacer:
    """Decides when the next tick is due, from when records were seen and ticks were sent.

    Times are seconds of a monotonic clock. ``pending_since`` is when records not yet covered
    by a tick were first seen (``None``: none are); ``last_tick_at`` when the last tick the
    broker took was decided; ``not_before`` holds a retry back after a failed tick.
    """

    settings: ClockSettings
    last_tick_at: float = -math.inf
    pending_since: float | None = None
    not_before: float = -math.inf

    def seen(self, now: float) -> None:
        """Note that new records were seen at ``now``."""
        if self.pending_since is None:
            self.pending_since = now

    def due_at(self) -> float:
        """Return when the next tick is due.

        With records pending: ``linger`` after they were first seen, but not before
        ``interval`` after the last tick. At the latest ``heartbeat`` after the last tick.
        """
        due = self.last_tick_at + self.settings.heartbeat
        if self.pending_since is not None:
            moved = max(
                self.pending_since + self.settings.linger,
                self.last_tick_at + self.settings.interval,
            )
            due = min(due, moved)
        return max(due, self.not_before)

    def wait(self, now: float) -> float:
        """Return how long to wait for records before the next tick is due (0: it is due)."""
        return max(0.0, self.due_at() - now)

    def ticked(self, now: float) -> None:
        """Note that a tick covering everything seen up to ``now`` was sent (taken)."""
        self.last_tick_at = now
        self.pending_since = None

    def failed(self, now: float) -> None:
        """Note that the tick due at ``now`` could not be sent: try again after ``retry``."""
        self.not_before = now + self.settings.retry


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
        producer = aio.producer(self.bootstrap, config)
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

            async def publish(tick: ClockTicked) -> None:
                value = await self.codec.encode(tick)
                await producer.send_and_wait(
                    self.names.log("clock"), value, key=b"clock", headers=to_ce_headers(tick)
                )

            await self.follow(stop, _KafkaFollower(consumer), publish)
        finally:
            await consumer.stop()
            await producer.stop()

    async def follow(
        self,
        stop: asyncio.Event,
        follower: LogFollower,
        publish: Callable[[ClockTicked], Awaitable[None]],
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        """Read ``follower`` and ``publish`` ticks as :class:`TickPacer` decides, until ``stop``.

        The start counts as a tick with records pending: the first tick comes ``interval``
        after it, whether records came or not (it covers what the clock caught up on since its
        last tick in the log). ``monotonic`` is the time source of the pacing (default: the
        event loop's clock).
        """
        clock = monotonic or asyncio.get_running_loop().time
        started = clock()
        pacer = TickPacer(self.settings, last_tick_at=started, pending_since=started)
        stopped = asyncio.ensure_future(stop.wait())
        fetching: asyncio.Future[Mapping[TopicPartition, Seen]] | None = None
        try:
            while not stop.is_set():
                fetching = asyncio.ensure_future(follower.fetch(pacer.wait(clock())))
                await asyncio.wait({fetching, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if not fetching.done():  # stopped while waiting for records
                    break
                seen = fetching.result()
                if stop.is_set():
                    break
                for tp, new in seen.items():
                    self.marks[tp] = new.offset
                    self.counts[tp] = self.counts.get(tp, 0) + new.records
                now = clock()
                if seen:
                    pacer.seen(now)
                if pacer.wait(now) > 0:
                    continue
                try:
                    await self._tick(publish)
                except KafkaError as error:  # the broker is away: tick again when it is back
                    _log.warning("clock.tick_failed", tick=self.next_tick, error=repr(error))
                    pacer.failed(clock())
                else:
                    pacer.ticked(now)  # the floor counts from the decision, not the broker's ack
        finally:
            stopped.cancel()
            if fetching is not None:
                fetching.cancel()

    async def _tick(self, publish: Callable[[ClockTicked], Awaitable[None]]) -> None:
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
        await publish(tick)
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
