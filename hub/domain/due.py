"""Due-time queues: the keys a tick must look at because time, not an event, moved them.

A rule whose finding for a key changes only when an event touches the key or when time
passes one of the key's moments (a deadline, the end of an allowed silence, a report going
stale) keeps a :class:`DueWatch`. Whatever changes a key touches it
(:meth:`DueWatch.touch`); after evaluating a key the rule gives the watch the key's next
moment (:meth:`DueWatch.watch`). :meth:`DueWatch.take` returns the touched keys and those
whose moment has passed, so a tick costs what changed plus what fell due, never a scan of
every key.

Moments are passed strictly: a key falls due once ``now`` is *past* its moment, as every
deadline of the rules is (a request is overdue only after ``respond_by``, not at it). Time
must not run backwards between takes (the hub's clock ticks never do).

The queues are not stored: a restored book asks its watch to look at everything once
(:meth:`DueWatch.touch_everything`), so the first tick after a restore evaluates every key and
rebuilds the queue from the stored items. That gives what an uninterrupted run holds, because
evaluating a key gives the same finding whether it was due or not.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from datetime import datetime

__all__ = ["DueQueue", "DueWatch"]

_SLACK = 64
"""Stale heap entries tolerated beyond the live ones before the heap is rebuilt."""


class DueQueue:
    """Keys with one moment each, popped once ``now`` is past it (a heap, lazily cleaned).

    Giving a key a new moment replaces the old one; its old heap entry is skipped when popped,
    and the heap is rebuilt when such entries outnumber the live ones, so its size stays
    proportional to the keys queued.
    """

    def __init__(self) -> None:
        self._due: dict[str, datetime] = {}
        self._heap: list[tuple[datetime, str]] = []

    def __len__(self) -> int:
        """How many keys are queued."""
        return len(self._due)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is queued."""
        return key in self._due

    def moment(self, key: str) -> datetime | None:
        """Return the moment of ``key``, or None when it is not queued."""
        return self._due.get(key)

    def put(self, key: str, at: datetime) -> None:
        """Queue ``key`` for ``at`` (replacing a moment it had)."""
        if self._due.get(key) == at:
            return
        self._due[key] = at
        heapq.heappush(self._heap, (at, key))
        if len(self._heap) > 2 * len(self._due) + _SLACK:
            self._heap = [(moment, k) for k, moment in self._due.items()]
            heapq.heapify(self._heap)

    def discard(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is not queued)."""
        self._due.pop(key, None)

    def pop_passed(self, now: datetime) -> list[str]:
        """Remove and return the keys whose moment lies before ``now``, in order of moment."""
        return self._pop(lambda at: at < now)

    def pop_reached(self, now: datetime) -> list[str]:
        """Remove and return the keys whose moment is ``now`` or before, in order of moment."""
        return self._pop(lambda at: at <= now)

    def _pop(self, due_at: Callable[[datetime], bool]) -> list[str]:
        popped: list[str] = []
        heap, due = self._heap, self._due
        while heap and due_at(heap[0][0]):
            at, key = heapq.heappop(heap)
            if due.get(key) == at:
                del due[key]
                popped.append(key)
        return popped


class DueWatch:
    """The keys of one rule to look at at the next tick: those touched and those due."""

    def __init__(self) -> None:
        self._touched: set[str] = set()
        self._everything = True  # a new watch has never looked: the first take sees all
        self.queue = DueQueue()

    def touch(self, *keys: str) -> None:
        """Note that ``keys`` changed: the next take returns them."""
        self._touched.update(keys)

    def touch_everything(self) -> None:
        """Let the next take return every key there is (after a restore)."""
        self._everything = True

    def watch(self, key: str, at: datetime | None) -> None:
        """Let ``key`` fall due once ``now`` is past ``at``; None: no moment changes it."""
        if at is None:
            self.queue.discard(key)
        else:
            self.queue.put(key, at)

    def take(self, now: datetime, everything: Callable[[], Iterable[str]]) -> list[str]:
        """Return and forget the keys touched or due at ``now``, sorted.

        ``everything`` lists every key there is; it is called only when the watch was told
        to look at everything (at first, and after a restore).
        """
        keys = self._touched
        keys.update(self.queue.pop_passed(now))
        if self._everything:
            keys.update(everything())
            self._everything = False
        self._touched = set()
        return sorted(keys)
