"""A bounded memory of accepted event ids: by time (the window) and by count."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

__all__ = ["DedupeWindow", "EventKey"]

EventKey = tuple[str, str]  # (source, id): CloudEvents ids are unique per source


class DedupeWindow:
    """Remembers ``(source, id)`` keys for ``window`` after their ingestion, at most ``max_ids``.

    The gateway rebuilds it on start from the log's recent headers, so it survives a restart.
    """

    def __init__(self, window: timedelta, max_ids: int) -> None:
        """Start empty."""
        self.window = window
        self.max_ids = max_ids
        self._seen: OrderedDict[EventKey, datetime] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        """Return whether ``key`` was remembered (and not yet forgotten)."""
        return key in self._seen

    def __len__(self) -> int:
        """Return how many keys are remembered."""
        return len(self._seen)

    def remember(self, key: EventKey, ingested_at: datetime) -> None:
        """Remember ``key`` as ingested at ``ingested_at``, forgetting the oldest beyond limits."""
        self._seen[key] = ingested_at
        self._seen.move_to_end(key)
        self.forget_before(ingested_at - self.window)
        while len(self._seen) > self.max_ids:
            self._seen.popitem(last=False)

    def forget_before(self, moment: datetime) -> None:
        """Forget keys ingested before ``moment`` (entries are kept in ingestion order)."""
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if at >= moment:
                return
            del self._seen[key]
