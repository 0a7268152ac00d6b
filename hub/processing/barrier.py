"""The tick barrier: a tick is evaluated once every event it covers has been applied, no more.

A clock tick names, per log partition, the offset of the last record it covers. Events arrive
from several partitions in any interleaving; the barrier buffers them and releases, per tick,
exactly the events up to the tick's marks, in a fixed order (partition by partition, offsets
ascending). Events beyond the marks wait for the next tick. So live processing and replay apply
the same events before each tick, whatever the order in which the consumer fetched them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from hub.contracts.events.clock import ClockTicked
from hub.contracts.events.envelope import EventEnvelope

__all__ = ["Position", "Release", "TickBarrier"]

Position = tuple[str, int]
"""A log partition: (topic, partition)."""


@dataclass(frozen=True)
class Release:
    """The events to apply before a tick, then the tick itself."""

    events: list[EventEnvelope]
    tick: ClockTicked


@dataclass
class TickBarrier:
    """Buffers log events until a clock tick covers them; releases them tick by tick.

    ``applied`` holds, per partition, the highest offset already applied (restored from a
    snapshot after a restart, so redelivered events are dropped); ``last_tick`` the number of
    the last tick released (older or equal ticks are redeliveries and are dropped).
    """

    applied: dict[Position, int] = field(default_factory=dict)
    last_tick: int | None = None
    _buffers: dict[Position, deque[tuple[int, EventEnvelope]]] = field(default_factory=dict)
    _seen: dict[Position, int] = field(default_factory=dict)
    _ticks: deque[ClockTicked] = field(default_factory=deque)

    def offer_event(self, position: Position, offset: int, event: EventEnvelope) -> None:
        """Take a log event read at ``position``/``offset`` (in offset order per partition)."""
        if offset <= max(self.applied.get(position, -1), self._seen.get(position, -1)):
            return
        self._seen[position] = offset
        self._buffers.setdefault(position, deque()).append((offset, event))

    def offer_tick(self, tick: ClockTicked) -> None:
        """Take a clock tick (ticks arrive in order: the clock topic has one partition)."""
        number = tick.data.tick
        newest = self._ticks[-1].data.tick if self._ticks else self.last_tick
        if newest is not None and number <= newest:
            return
        self._ticks.append(tick)

    def pending_ticks(self) -> int:
        """Return how many ticks wait for events they cover."""
        return len(self._ticks)

    def buffered_events(self) -> int:
        """Return how many events wait for a tick."""
        return sum(len(buffer) for buffer in self._buffers.values())

    def releases(
        self, until: datetime | None = None, until_tick: int | None = None
    ) -> Iterator[Release]:
        """Yield, in order, every tick whose covered events have all arrived, with those events.

        With ``until`` (a time) or ``until_tick`` (a tick number), stop before the first tick
        beyond it; that tick stays pending.
        """
        while self._ticks and self._covered(self._ticks[0]):
            first = self._ticks[0]
            if until is not None and first.time > until:
                return
            if until_tick is not None and first.data.tick > until_tick:
                return
            tick = self._ticks.popleft()
            yield Release(self._take(tick), tick)
            self.last_tick = tick.data.tick

    def _covered(self, tick: ClockTicked) -> bool:
        return all(
            max(self._seen.get(pos, -1), self.applied.get(pos, -1)) >= mark.offset
            for mark in tick.data.covers
            for pos in [(mark.topic, mark.partition)]
        )

    def _take(self, tick: ClockTicked) -> list[EventEnvelope]:
        taken: list[EventEnvelope] = []
        for mark in sorted(tick.data.covers, key=lambda m: (m.topic, m.partition)):
            position = (mark.topic, mark.partition)
            buffer = self._buffers.get(position)
            while buffer and buffer[0][0] <= mark.offset:
                offset, event = buffer.popleft()
                taken.append(event)
                self.applied[position] = offset
            self.applied[position] = max(self.applied.get(position, -1), mark.offset)
        return taken
