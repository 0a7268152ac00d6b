"""Who has been heard from, and when: the basis of the silent-organisation rule.

An event from an organisation touches it in :attr:`ActivityProjection.watch`, the due-time
queue of the rule (:mod:`hub.domain.due`): the rule looks at an organisation again only when
it was heard from or when its allowed silence runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub.contracts.events.envelope import EventEnvelope
from hub.domain._common import dt_from_json, dt_to_json, opt_dt_from_json, opt_dt_to_json
from hub.domain.due import DueWatch

__all__ = ["ActivityProjection"]


class ActivityProjection:
    """The latest event per organisation (any event from it counts, heartbeats included).

    An event's moment is its gateway stamp ``ingested_at`` (hub time, the same clock as the
    ticks) when present, else its ``time``. The latest event wins by (moment, id), so the
    projection is idempotent and the order of arrival does not matter. ``started_at`` is the
    time of the first tick: organisations never heard from count as silent from then on.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[datetime, str]] = {}
        self.started_at: datetime | None = None
        self.watch = DueWatch()
        """Organisations to look at again (heard from, or their silence ran out); not stored."""

    def apply(self, event: EventEnvelope) -> None:
        """Note ``event`` as a sign of life of its source."""
        seen = (event.ingested_at or event.time, event.id)
        current = self._last.get(event.source)
        if current is None or seen > current:
            self._last[event.source] = seen
            self.watch.touch(event.source)

    def note_tick(self, now: datetime) -> None:
        """Remember the first tick's time as the start of observation."""
        if self.started_at is None:
            self.started_at = now

    def last_seen(self, org_id: str) -> datetime | None:
        """Return the moment of the latest event from ``org_id``, or None if never seen."""
        seen = self._last.get(org_id)
        return None if seen is None else seen[0]

    def last_event_id(self, org_id: str) -> str | None:
        """Return the id of the latest event from ``org_id``, or None if never seen."""
        seen = self._last.get(org_id)
        return None if seen is None else seen[1]

    def silent_for(self, org_id: str, now: datetime) -> timedelta | None:
        """Return how long ``org_id`` has been silent at ``now`` (None before the first tick).

        Measured from its latest event, or from the first tick if it was never heard from.
        """
        since = self.last_seen(org_id) or self.started_at
        return None if since is None else now - since

    def is_silent(self, org_id: str, now: datetime, max_silence: timedelta) -> bool:
        """Whether ``org_id`` has been silent for longer than ``max_silence`` at ``now``."""
        silence = self.silent_for(org_id, now)
        return silence is not None and silence > max_silence

    def to_snapshot(self) -> dict[str, Any]:
        """Return the state as a JSON-able dict."""
        return {
            "started_at": opt_dt_to_json(self.started_at),
            "last": {org: [dt_to_json(t), i] for org, (t, i) in sorted(self._last.items())},
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> ActivityProjection:
        """Rebuild the projection from :meth:`to_snapshot`'s dict."""
        projection = cls()
        projection.started_at = opt_dt_from_json(data["started_at"])
        projection._last = {org: (dt_from_json(t), i) for org, (t, i) in data["last"].items()}
        return projection
