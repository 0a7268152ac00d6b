"""Small pure helpers shared by the projections: JSON times and a bounded set of event ids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.fields import to_utc

__all__ = ["RecentIds", "dt_from_json", "dt_to_json", "opt_dt_from_json", "opt_dt_to_json"]


def dt_to_json(value: datetime) -> str:
    """Return ``value`` as an RFC 3339 string in UTC, for snapshots."""
    return to_utc(value).isoformat()


def dt_from_json(value: str) -> datetime:
    """Return the UTC datetime of an RFC 3339 string written by :func:`dt_to_json`."""
    return to_utc(datetime.fromisoformat(value))


def opt_dt_to_json(value: datetime | None) -> str | None:
    """Like :func:`dt_to_json`, passing None through."""
    return None if value is None else dt_to_json(value)


def opt_dt_from_json(value: str | None) -> datetime | None:
    """Like :func:`dt_from_json`, passing None through."""
    return None if value is None else dt_from_json(value)


class RecentIds:
    """The ids of the most recently applied events (``source`` and ``id``), oldest forgotten.

    Duplicates come from at-least-once redelivery of the recent tail of a partition, so a
    bounded window is enough to make order-sensitive projections idempotent.
    """

    def __init__(self, capacity: int, ids: Iterable[tuple[str, str]] = ()) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._ids: dict[tuple[str, str], None] = {}
        for key in ids:
            self._remember(key)

    def __len__(self) -> int:
        """Return how many ids are remembered."""
        return len(self._ids)

    def first_time(self, event: EventEnvelope) -> bool:
        """Remember ``event``; return False if it was already remembered (a duplicate)."""
        key = (event.source, event.id)
        if key in self._ids:
            return False
        self._remember(key)
        return True

    def _remember(self, key: tuple[str, str]) -> None:
        self._ids[key] = None
        if len(self._ids) > self.capacity:
            del self._ids[next(iter(self._ids))]

    def to_snapshot(self) -> dict[str, Any]:
        """Return the window as a JSON-able dict, oldest first."""
        return {"capacity": self.capacity, "ids": [list(key) for key in self._ids]}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> RecentIds:
        """Rebuild a window from :meth:`to_snapshot`'s dict."""
        return cls(int(data["capacity"]), ((str(s), str(i)) for s, i in data["ids"]))
