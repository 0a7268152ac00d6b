"""The situation: every incident as reported, updated and closed, and its latest sitrep.

Events of one incident share its id as Kafka key, so they arrive in order; events of
different incidents, and sitreps (their own aggregates), may interleave in any order, so
everything here that spans aggregates is order-independent. ``apply`` is O(1) per event (plus
the incident's regions); the region and national aggregates are derived at tick time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentUpdated,
    Severity,
)
from hub.contracts.events.sitrep import SitrepPublished
from hub.domain._common import RecentIds, dt_from_json, dt_to_json, opt_dt_from_json, opt_dt_to_json

__all__ = ["CLOSED", "IncidentState", "SitrepState", "SituationProjection"]

CLOSED = "closed"
"""The status of a closed incident (the reported statuses never say 'closed')."""


@dataclass(slots=True)
class IncidentState:
    """One incident as the hub knows it; ``*_event_id`` fields are evidence for signals."""

    incident_id: str
    category: str
    title: str
    status: str
    grip_level: str
    severity: Severity
    regions: tuple[str, ...]
    affected_people: int
    reported_by: str
    started_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    reported_event_id: str
    grip_event_id: str

    @property
    def active(self) -> bool:
        """Whether the incident is not closed."""
        return self.status != CLOSED

    def to_json(self) -> dict[str, Any]:
        """Return the state as a JSON-able dict."""
        return {
            **{name: getattr(self, name) for name in _PLAIN_FIELDS},
            "severity": self.severity.value,
            "regions": list(self.regions),
            "started_at": dt_to_json(self.started_at),
            "updated_at": dt_to_json(self.updated_at),
            "closed_at": opt_dt_to_json(self.closed_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncidentState:
        """Rebuild the state from :meth:`to_json`'s dict."""
        return cls(
            **{name: data[name] for name in _PLAIN_FIELDS},
            severity=Severity(data["severity"]),
            regions=tuple(data["regions"]),
            started_at=dt_from_json(data["started_at"]),
            updated_at=dt_from_json(data["updated_at"]),
            closed_at=opt_dt_from_json(data["closed_at"]),
        )


_PLAIN_FIELDS = (
    "incident_id",
    "category",
    "title",
    "status",
    "grip_level",
    "affected_people",
    "reported_by",
    "reported_event_id",
    "grip_event_id",
)


@dataclass(frozen=True, slots=True)
class SitrepState:
    """The latest situation report about one incident."""

    sitrep_id: str
    summary: str
    published_at: datetime
    source: str
    event_id: str

    def to_json(self) -> list[str]:
        """Return the state as a JSON-able list."""
        return [
            self.sitrep_id,
            self.summary,
            dt_to_json(self.published_at),
            self.source,
            self.event_id,
        ]

    @classmethod
    def from_json(cls, data: list[str]) -> SitrepState:
        """Rebuild the state from :meth:`to_json`'s list."""
        sitrep_id, summary, published_at, source, event_id = data
        return cls(sitrep_id, summary, dt_from_json(published_at), source, event_id)


class SituationProjection:
    """Incidents, their latest sitreps, and indexes of the active ones by region and category.

    Updates and closures of unknown or closed incidents, and second reports of a known one,
    are ignored and counted in :attr:`ignored`. Incident events are de-duplicated on
    (source, id) within a window of the most recent ``dedupe_window`` events; sitreps are
    idempotent by nature (the latest by event time, then id, wins).
    """

    def __init__(self, dedupe_window: int = 50_000) -> None:
        self.incidents: dict[str, IncidentState] = {}
        self.sitreps: dict[str, SitrepState] = {}
        self.ignored = 0
        self._recent = RecentIds(dedupe_window)
        self._by_region: dict[str, set[str]] = {}
        self._by_category: dict[str, set[str]] = {}
        self._dirty_incidents: set[str] = set()
        self._dirty_regions: set[str] = set()
        self._handlers: Mapping[type[EventEnvelope], Callable[[Any], None]] = {
            IncidentReported: self._reported,
            IncidentUpdated: self._updated,
            IncidentClosed: self._closed,
        }

    def apply(self, event: EventEnvelope) -> None:
        """Apply an incident or sitrep event; other events are no concern of this projection."""
        if isinstance(event, SitrepPublished):
            self._sitrep(event)
            return
        handler = self._handlers.get(type(event))
        if handler is not None and self._recent.first_time(event):
            handler(event)

    def _reported(self, event: IncidentReported) -> None:
        data = event.data
        if data.incident_id in self.incidents:
            self.ignored += 1
            return
        state = IncidentState(
            incident_id=data.incident_id,
            category=data.category,
            title=data.title,
            status="active",
            grip_level=data.grip_level,
            severity=data.severity,
            regions=data.regions,
            affected_people=data.affected_people,
            reported_by=event.source,
            started_at=data.started_at,
            updated_at=event.time,
            closed_at=None,
            reported_event_id=event.id,
            grip_event_id=event.id,
        )
        self.incidents[state.incident_id] = state
        self._index(state)
        self._touch(state)

    def _updated(self, event: IncidentUpdated) -> None:
        data = event.data
        state = self._active(data.incident_id)
        if state is None:
            return
        self._touch(state)
        self._unindex(state)
        state.status = data.status.value
        if data.grip_level is not None and data.grip_level != state.grip_level:
            state.grip_level, state.grip_event_id = data.grip_level, event.id
        state.severity = data.severity or state.severity
        state.affected_people = _given(data.affected_people, state.affected_people)
        state.regions = data.regions or state.regions
        state.updated_at = event.time
        self._index(state)
        self._touch(state)

    def _closed(self, event: IncidentClosed) -> None:
        state = self._active(event.data.incident_id)
        if state is None:
            return
        self._unindex(state)
        state.status, state.closed_at, state.updated_at = CLOSED, event.data.closed_at, event.time
        self._touch(state)

    def _sitrep(self, event: SitrepPublished) -> None:
        incident_id = event.data.incident_id
        if incident_id is None:
            return
        current = self.sitreps.get(incident_id)
        if current is not None and (current.published_at, current.event_id) >= (
            event.time,
            event.id,
        ):
            return
        self.sitreps[incident_id] = SitrepState(
            event.data.sitrep_id, event.data.summary, event.time, event.source, event.id
        )
        self._dirty_incidents.add(incident_id)

    def _active(self, incident_id: str) -> IncidentState | None:
        state = self.incidents.get(incident_id)
        if state is None or not state.active:
            self.ignored += 1
            return None
        return state

    def _index(self, state: IncidentState) -> None:
        for region in state.regions:
            self._by_region.setdefault(region, set()).add(state.incident_id)
        self._by_category.setdefault(state.category, set()).add(state.incident_id)

    def _unindex(self, state: IncidentState) -> None:
        for region in state.regions:
            _discard(self._by_region, region, state.incident_id)
        _discard(self._by_category, state.category, state.incident_id)

    def _touch(self, state: IncidentState) -> None:
        self._dirty_incidents.add(state.incident_id)
        self._dirty_regions.update(state.regions)

    def active_in_region(self, region_id: str) -> Iterator[IncidentState]:
        """Yield the active incidents that affect ``region_id`` (in no particular order)."""
        return (self.incidents[i] for i in self._by_region.get(region_id, ()))

    def active_by_category(self) -> Mapping[str, set[str]]:
        """Return the ids of the active incidents per category (categories with any)."""
        return self._by_category

    def active_incidents(self) -> Iterator[IncidentState]:
        """Yield every active incident (in no particular order)."""
        return (self.incidents[i] for ids in self._by_category.values() for i in ids)

    def take_dirty(self) -> tuple[set[str], set[str]]:
        """Return and forget the incidents and regions changed since the last call."""
        dirty = (self._dirty_incidents, self._dirty_regions)
        self._dirty_incidents, self._dirty_regions = set(), set()
        return dirty

    def mark_all_dirty(self, regions: tuple[str, ...]) -> None:
        """Mark every incident and the given ``regions`` as changed (after a restore)."""
        self._dirty_incidents.update(self.incidents)
        self._dirty_incidents.update(self.sitreps)
        self._dirty_regions.update(regions)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the state as a JSON-able dict."""
        return {
            "incidents": [state.to_json() for state in self.incidents.values()],
            "sitreps": {key: sitrep.to_json() for key, sitrep in self.sitreps.items()},
            "ignored": self.ignored,
            "recent": self._recent.to_snapshot(),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> SituationProjection:
        """Rebuild the projection from :meth:`to_snapshot`'s dict."""
        recent = RecentIds.from_snapshot(data["recent"])
        projection = cls(recent.capacity)
        projection._recent = recent
        projection.ignored = int(data["ignored"])
        for item in data["incidents"]:
            state = IncidentState.from_json(item)
            projection.incidents[state.incident_id] = state
            if state.active:
                projection._index(state)
        projection.sitreps = {k: SitrepState.from_json(v) for k, v in data["sitreps"].items()}
        return projection


def _given(value: int | None, current: int) -> int:
    return current if value is None else value


def _discard(index: dict[str, set[str]], key: str, incident_id: str) -> None:
    ids = index.get(key)
    if ids is not None:
        ids.discard(incident_id)
        if not ids:
            del index[key]
