"""When finished work leaves the live state: a due-time queue of item ids.

Finished requests (assistance, information, advice, the hub's coordination requests) stay in
the live state for a grace after the first tick that sees them finished, then leave it (the
log keeps them; a replay retires them at the same ticks). :class:`RetirementQueue` is a heap of
(due, id) popped at the tick, so a tick pays only for what falls due, never a scan of
everything.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hub.domain._common import dt_from_json, dt_to_json

__all__ = ["RetirementQueue", "SortedIds"]


class SortedIds:
    """A set of ids kept in sorted order (an index of the live items in one state)."""

    def __init__(self) -> None:
        self._ids: list[str] = []

    def __contains__(self, item_id: object) -> bool:
        """Whether ``item_id`` is in the index."""
        if not isinstance(item_id, str):
            return False
        at = bisect.bisect_left(self._ids, item_id)
        return at < len(self._ids) and self._ids[at] == item_id

    def __iter__(self) -> Iterator[str]:
        """Iterate the ids in sorted order (a copy: the index may change meanwhile)."""
        return iter(list(self._ids))

    def __len__(self) -> int:
        """How many ids are in the index."""
        return len(self._ids)

    def put(self, item_id: str, member: bool) -> None:
        """Add ``item_id`` when ``member``, else remove it (either way idempotent)."""
        ids = self._ids
        at = bisect.bisect_left(ids, item_id)
        present = at < len(ids) and ids[at] == item_id
        if member and not present:
            ids.insert(at, item_id)
        elif present and not member:
            del ids[at]


class RetirementQueue:
    """Item ids due to leave the live state, each with the first moment it was given.

    :meth:`cancel` forgets an id (its heap entry is skipped when popped), so an item that is
    no longer finished can be given a new moment once it is finished again.
    """

    def __init__(self) -> None:
        self.due: dict[str, datetime] = {}
        self._heap: list[tuple[datetime, str]] = []

    def __contains__(self, item_id: object) -> bool:
        """Whether ``item_id`` is scheduled."""
        return item_id in self.due

    def __len__(self) -> int:
        """How many ids are scheduled."""
        return len(self.due)

    def schedule(self, item_id: str, at: datetime) -> None:
        """Let ``item_id`` leave at ``at``; an id already scheduled keeps its moment."""
        if item_id not in self.due:
            self.due[item_id] = at
            heapq.heappush(self._heap, (at, item_id))

    def cancel(self, item_id: str) -> None:
        """Forget ``item_id`` (nothing happens when it is not scheduled)."""
        self.due.pop(item_id, None)

    def pop_due(self, now: datetime) -> list[str]:
        """Remove and return the ids due at ``now`` (due at or before it), sorted."""
        popped: list[str] = []
        heap, due = self._heap, self.due
        while heap and heap[0][0] <= now:
            at, item_id = heapq.heappop(heap)
            if due.get(item_id) == at:
                del due[item_id]
                popped.append(item_id)
        return sorted(popped)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the scheduled ids and their moments as a JSON-able dict keyed by id."""
        return {item_id: dt_to_json(at) for item_id, at in self.due.items()}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> RetirementQueue:
        """Rebuild the queue from :meth:`to_snapshot`'s dict."""
        queue = cls()
        for item_id, at in data.items():
            queue.schedule(item_id, dt_from_json(at))
        return queue
