"""The tick barrier: a tick is evaluated once every event it covers has been applied, no more.

A clock tick names, per log partition, the offset of the last record it covers. Events arrive
from several partitions in any interleaving; the barrier buffers them and releases, per tick,
exactly the events up to the tick's marks, in a fixed order (partition by partition, offsets
ascending). Events beyond the marks wait for the next tick. So live processing and replay apply
the same events before each tick, whatever the order in which the consumer fetched them.

A tick also says how many committed records each partition gained since the clock's previous
tick (``LogMark.after`` / ``LogMark.records``). With ``verify`` a tick is released only when the
barrier holds exactly that many events in each range, and :meth:`TickBarrier.gaps` names the
ranges it lacks, so the caller can read them from the log itself (:meth:`TickBarrier.fill`)
instead of trusting a consumer that skipped records. Ticks are numbered one up, so a skipped
tick is a gap too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from hub.contracts.events.clock import ClockTicked, LogMark
from hub.contracts.events.envelope import EventEnvelope

__all__ = ["Gap", "Position", "Release", "TickBarrier"]

Position = tuple[str, int]
"""A log partition: (topic, partition)."""


@dataclass(frozen=True)
class Release:
    """The events to apply before a tick, then the tick itself."""

    events: list[EventEnvelope]
    tick: ClockTicked


@dataclass(frozen=True)
class Gap:
    """Offsets ``(after, upto]`` of one partition that must be read again from the log."""

    position: Position
    after: int
    upto: int


@dataclass
class TickBarrier:
    """Buffers log events until a clock tick covers them; releases them tick by tick.

    ``applied`` holds, per partition, the highest offset already applied (restored from a
    snapshot after a restart, so redelivered events are dropped); ``last_tick`` the number of
    the last tick released (older or equal ticks are redeliveries and are dropped).
    """

    applied: dict[Position, int] = field(default_factory=dict)
    last_tick: int | None = None
    _buffers: dict[Position, deque[tuple[int, EventEnvelope | None]]] = field(default_factory=dict)
    _seen: dict[Position, int] = field(default_factory=dict)
    _ticks: deque[ClockTicked] = field(default_factory=deque)
    _tick_offsets: dict[int, tuple[Position, int]] = field(default_factory=dict)

    def offer_event(self, position: Position, offset: int, event: EventEnvelope | None) -> None:
        """Take a log event read at ``position``/``offset`` (in offset order per partition).

        ``None`` stands for a record that could not be decoded: it counts (the clock counted
        it) but is never applied, live and in a replay alike.
        """
        if offset <= max(self.applied.get(position, -1), self._seen.get(position, -1)):
            return
        self._seen[position] = offset
        self._buffers.setdefault(position, deque()).append((offset, event))

    def offer_tick(
        self, tick: ClockTicked, position: Position | None = None, offset: int | None = None
    ) -> None:
        """Take a clock tick read at ``position``/``offset`` (ticks come in order)."""
        number = tick.data.tick
        newest = self._ticks[-1].data.tick if self._ticks else self.last_tick
        if newest is not None and number <= newest:
            return
        self._ticks.append(tick)
        if position is not None and offset is not None:
            self._tick_offsets[number] = (position, offset)

    def fill(self, gap: Gap, records: list[tuple[int, EventEnvelope | None]]) -> None:
        """Replace what is held in ``gap`` by ``records`` read from the log, in offset order.

        Clock ticks among them go to the pending ticks (in number order); other events to the
        partition's buffer.
        """
        position = gap.position
        buffer = self._buffers.setdefault(position, deque())
        kept = [(o, e) for o, e in buffer if not gap.after < o <= gap.upto]
        events = [(o, e) for o, e in records if not isinstance(e, ClockTicked)]
        done = self.applied.get(position, -1)
        merged = sorted([*kept, *((o, e) for o, e in events if o > done)], key=lambda oe: oe[0])
        self._buffers[position] = deque(merged)
        self._seen[position] = max(self._seen.get(position, -1), gap.upto)
        ticks = {t.data.tick: t for t in self._ticks}
        for offset, event in records:
            fresh = self.last_tick is None or (
                isinstance(event, ClockTicked) and event.data.tick > self.last_tick
            )
            if isinstance(event, ClockTicked) and event.data.tick not in ticks and fresh:
                ticks[event.data.tick] = event
                self._tick_offsets[event.data.tick] = (position, offset)
        self._ticks = deque(ticks[n] for n in sorted(ticks))

    def gaps(self, stalled: Callable[[Position], bool] | None = None) -> list[Gap]:
        """Return the ranges the first pending tick lacks, to be read from the log.

        A range whose records have all been seen but are fewer than the tick counts is a gap
        at once. One not seen up to its mark is a gap only when ``stalled`` says its partition
        has stopped delivering (the consumer is then not merely behind): a consumer that
        dropped the last records of a quiet partition would otherwise hold the tick forever.
        A missing tick number is a gap of the clock partition between the last released tick
        and the first pending one.
        """
        if not self._ticks:
            return []
        head = self._ticks[0]
        skipped = self._skipped_ticks(head)
        if skipped is not None:
            return [skipped]
        return [
            Gap(position, max(self.applied.get(position, -1), mark.after or -1), mark.offset)
            for mark in head.data.covers
            for position in [(mark.topic, mark.partition)]
            if not self._mark_complete(mark)
            and (self._mark_seen(mark) or (stalled is not None and stalled(position)))
        ]

    def first_pending_tick(self) -> int | None:
        """Return the number of the first tick still waiting, or None."""
        return self._ticks[0].data.tick if self._ticks else None

    def pending_ticks(self) -> int:
        """Return how many ticks wait for events they cover."""
        return len(self._ticks)

    def buffered_events(self) -> int:
        """Return how many events wait for a tick."""
        return sum(len(buffer) for buffer in self._buffers.values())

    def releases(
        self, until: datetime | None = None, until_tick: int | None = None, verify: bool = False
    ) -> Iterator[Release]:
        """Yield, in order, every tick whose covered events have all arrived, with those events.

        With ``until`` (a time) or ``until_tick`` (a tick number), stop before the first tick
        beyond it; that tick stays pending. With ``verify``, a tick is released only when no
        tick is missing before it and it holds as many events per partition as it counts.
        """
        while self._ticks and self._ready(self._ticks[0], verify):
            first = self._ticks[0]
            if until is not None and first.time > until:
                return
            if until_tick is not None and first.data.tick > until_tick:
                return
            tick = self._ticks.popleft()
            yield Release(self._take(tick), tick)
            self.last_tick = tick.data.tick
            where = self._tick_offsets.pop(tick.data.tick, None)
            if where is not None:
                self.applied[where[0]] = max(self.applied.get(where[0], -1), where[1])

    def _ready(self, tick: ClockTicked, verify: bool) -> bool:
        if not verify:
            return all(self._mark_seen(mark) for mark in tick.data.covers)
        if self._skipped_ticks(tick) is not None:
            return False
        return all(self._mark_complete(mark) for mark in tick.data.covers)

    def _mark_seen(self, mark: LogMark) -> bool:
        position = (mark.topic, mark.partition)
        return max(self._seen.get(position, -1), self.applied.get(position, -1)) >= mark.offset

    def _mark_complete(self, mark: LogMark) -> bool:
        """Whether every record the mark covers is held (uncounted marks: seen up to it)."""
        if not self._mark_seen(mark):
            return False
        position = (mark.topic, mark.partition)
        done = self.applied.get(position, -1)
        if mark.records is None or mark.after is None or done >= mark.offset:
            return True
        if done > mark.after:  # part of the range was applied already: it cannot be counted
            return True
        return _held(self._buffers.get(position), mark.after, mark.offset) == mark.records

    def _skipped_ticks(self, head: ClockTicked) -> Gap | None:
        """The clock range holding ticks between the last released one and ``head``, if any."""
        if self.last_tick is None or head.data.tick == self.last_tick + 1:
            return None
        where = self._tick_offsets.get(head.data.tick)
        if where is None:
            return None
        position, offset = where
        return Gap(position, self.applied.get(position, -1), offset - 1)

    def _take(self, tick: ClockTicked) -> list[EventEnvelope]:
        taken: list[EventEnvelope] = []
        for mark in sorted(tick.data.covers, key=lambda m: (m.topic, m.partition)):
            position = (mark.topic, mark.partition)
            buffer = self._buffers.get(position)
            while buffer and buffer[0][0] <= mark.offset:
                offset, event = buffer.popleft()
                if event is not None:
                    taken.append(event)
                self.applied[position] = offset
            self.applied[position] = max(self.applied.get(position, -1), mark.offset)
        return taken


def _offset(record: tuple[int, EventEnvelope | None]) -> int:
    return record[0]


def _held(buffer: deque[tuple[int, EventEnvelope | None]] | None, after: int, upto: int) -> int:
    """How many records of ``buffer`` (sorted by offset) lie in ``(after, upto]``."""
    if not buffer:
        return 0
    return bisect_right(buffer, upto, key=_offset) - bisect_right(buffer, after, key=_offset)
