"""The situation: every incident as reported, updated and closed, and its latest sitrep.

Events of one incident share its id as Kafka key, so they arrive in order; events of
different incidents, and sitreps (their own aggregates), may interleave in any order, so
everything here that spans aggregates is order-independent. ``apply`` costs O(log n) per event
(plus the incident's regions): it keeps running tallies of the active incidents per region,
per category and nationally (:class:`~hub.domain.tally.Tally`) and notes what it touched
(:class:`SituationChanges`), so a tick reads only what changed.

Every incident carries its :class:`~hub.domain.audience.Audience`: who may see it, from the
labels of all its events (:class:`~hub.domain.audience.AggregateLabel`: a RED update makes the
whole incident RED; the label never widens). The shared tallies count an incident only where
everyone the aggregate reaches may see it, under a label at least as strict as its own
(:meth:`~hub.domain.audience.Visibility.shares`): a region's tally only for the readers of
that region's view; the national and category tallies (and the supra-regional windows) only
for the readers of the national view. The others are *restricted*: kept, shown in their own
incident view to whom may see them, counted in no shared aggregate.

Closed incidents leave the live state after a grace (:meth:`SituationProjection.retire`); the
log keeps them, and a replay retires them at the same ticks.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentUpdated,
    Severity,
)
from hub.contracts.events.sitrep import SitrepPublished
from hub.domain._common import (
    FrozenJson,
    FrozenSnapshots,
    RecentIds,
    dt_from_json,
    dt_to_json,
    opt_dt_from_json,
    opt_dt_to_json,
)
from hub.domain.audience import (
    EVERYONE,
    AggregateLabel,
    Audience,
    Visibility,
    default_visibility,
)
from hub.domain.tally import Tally
from hub.domain.windows import CategoryWindows

__all__ = ["CLOSED", "IncidentState", "SitrepState", "SituationChanges", "SituationProjection"]

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
    retire_at: datetime | None = None
    """When the closed incident leaves the live state (set by the tick that saw it closed)."""
    label: AggregateLabel | None = None
    """The labels of its events (:class:`~hub.domain.audience.AggregateLabel`)."""
    audience: Audience = EVERYONE
    """Who may see the incident now: from :attr:`label` and its regions."""

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
            "retire_at": opt_dt_to_json(self.retire_at),
            "label": None if self.label is None else self.label.to_json(),
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
            retire_at=opt_dt_from_json(data.get("retire_at")),
            label=None if data.get("label") is None else AggregateLabel.from_json(data["label"]),
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
    audience: Audience = EVERYONE
    """Who may see the report."""

    def to_json(self) -> list[Any]:
        """Return the state as a JSON-able list."""
        return [
            self.sitrep_id,
            self.summary,
            dt_to_json(self.published_at),
            self.source,
            self.event_id,
            self.audience.to_json(),
        ]

    @classmethod
    def from_json(cls, data: list[Any]) -> SitrepState:
        """Rebuild the state from :meth:`to_json`'s list."""
        sitrep_id, summary, published_at, source, event_id, audience = data
        return cls(
            sitrep_id,
            summary,
            dt_from_json(published_at),
            source,
            event_id,
            Audience.from_json(audience),
        )


@dataclass
class SituationChanges:
    """What events touched since the last tick: incidents (or sitreps), regions, categories."""

    incidents: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        """Whether anything was touched."""
        return bool(self.incidents or self.regions or self.categories)


class SituationProjection:
    """Incidents, their latest sitreps, and tallies of the active ones by region and category.

    Updates and closures of unknown or closed incidents, and second reports of a known one,
    are ignored and counted in :attr:`ignored`. Incident events are de-duplicated on
    (source, id) within a window of the most recent ``dedupe_window`` events; sitreps are
    idempotent by nature (the latest by event time, then id, wins). A retired incident (closed
    longer than the grace) is unknown again: updates of it are ignored, a new report of its id
    starts a new incident.
    """

    def __init__(self, dedupe_window: int = 50_000, visibility: Visibility | None = None) -> None:
        self.visibility = visibility or default_visibility()
        self.incidents: dict[str, IncidentState] = {}
        self.sitreps: dict[str, SitrepState] = {}
        self.ignored = 0
        self._recent = RecentIds(dedupe_window)
        self._by_region: dict[str, Tally] = {}
        self._by_category: dict[str, Tally] = {}
        self._national = Tally()
        self._restricted: set[str] = set()  # active incidents outside the national tally
        self._audiences: dict[str, Counter[Audience]] = {}  # per category, of the tallied
        self._changes = SituationChanges()
        self._retiring: list[tuple[datetime, str]] = []  # (retire_at, incident id), a heap
        self._snapshots = FrozenSnapshots()  # each incident's JSON, made once per change
        self._window: timedelta | None = None  # of the supra-regional windows, once asked
        self._windows: dict[str, CategoryWindows] = {}
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
            label=AggregateLabel.first(event),
        )
        state.audience = self._audience(state.label)
        self.incidents[state.incident_id] = state
        self._index(state)
        self._touch(state)

    def _updated(self, event: IncidentUpdated) -> None:
        data = event.data
        state = self._active(data.incident_id)
        if state is None:
            return
        self._touch(state)
        regions = data.regions or state.regions
        label = _labelled(state.label, event, self.visibility, regions)
        audience = state.audience if label is state.label else self._audience(label)
        if regions != state.regions or audience != state.audience:
            self._unindex(state)
            state.regions, state.audience = regions, audience
            self._index(state)
        state.label = label
        before = (state.grip_level, state.affected_people)
        state.status = data.status.value
        if data.grip_level is not None and data.grip_level != state.grip_level:
            state.grip_level, state.grip_event_id = data.grip_level, event.id
        state.severity = data.severity or state.severity
        state.affected_people = _given(data.affected_people, state.affected_people)
        state.updated_at = event.time
        if (state.grip_level, state.affected_people) != before:
            self._recount(state, *before)
        self._touch(state)

    def _closed(self, event: IncidentClosed) -> None:
        state = self._active(event.data.incident_id)
        if state is None:
            return
        self._unindex(state)
        state.label = _labelled(state.label, event, self.visibility, state.regions)
        state.audience = self._audience(state.label)
        state.status, state.closed_at, state.updated_at = CLOSED, event.data.closed_at, event.time
        self._touch(state)

    def schedule_retirement(self, incident_ids: Iterable[str], at: datetime) -> None:
        """Let those of ``incident_ids`` that are closed leave the live state at ``at``.

        An incident keeps the first moment it was given.
        """
        for incident_id in incident_ids:
            state = self.incidents.get(incident_id)
            if state is not None and not state.active and state.retire_at is None:
                state.retire_at = at
                self._snapshots.touch(incident_id)
                heapq.heappush(self._retiring, (at, incident_id))

    def retire_due(self, now: datetime) -> list[str]:
        """Forget the closed incidents (and sitreps) due at ``now``; return their ids, sorted."""
        retired: list[str] = []
        while self._retiring and self._retiring[0][0] <= now:
            _, incident_id = heapq.heappop(self._retiring)
            state = self.incidents.pop(incident_id, None)
            self._snapshots.touch(incident_id)
            if state is not None:
                self.sitreps.pop(incident_id, None)
                retired.append(incident_id)
        return sorted(retired)

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
            event.data.sitrep_id,
            event.data.summary,
            event.time,
            event.source,
            event.id,
            self.visibility.of_event(event, self._regions_of(incident_id, event)),
        )
        self._changes.incidents.add(incident_id)

    def _audience(self, label: AggregateLabel | None) -> Audience:
        return EVERYONE if label is None else label.audience(self.visibility)

    def _regions_of(self, incident_id: str, event: SitrepPublished) -> tuple[str, ...]:
        """The regions a sitrep is about: its own, else those of its incident."""
        own = getattr(event.data, "regions", None)
        if own:
            return tuple(own)
        incident = self.incidents.get(incident_id)
        return () if incident is None else incident.regions

    def _active(self, incident_id: str) -> IncidentState | None:
        state = self.incidents.get(incident_id)
        if state is None or not state.active:
            self.ignored += 1
            return None
        return state

    def _shared_regions(self, state: IncidentState) -> list[str]:
        """The regions whose tally may count ``state``: every reader of its view may see it."""
        audience, visibility = state.audience, self.visibility
        base = visibility.view_tlp
        return [
            r
            for r in state.regions
            if visibility.shares(audience, visibility.region_audience(r), base)
        ]

    def shared_nationally(self, state: IncidentState) -> bool:
        """Whether every reader of the national view may see ``state`` (it counts there)."""
        visibility = self.visibility
        return visibility.shares(
            state.audience, visibility.national_audience(), visibility.view_tlp
        )

    def _index(self, state: IncidentState) -> None:
        for region in self._shared_regions(state):
            self._by_region.setdefault(region, Tally()).add(state)
        if not self.shared_nationally(state):
            self._restricted.add(state.incident_id)
            return
        self._audiences.setdefault(state.category, Counter())[state.audience] += 1
        self._by_category.setdefault(state.category, Tally(ordered_by_start=True)).add(state)
        self._national.add(state)
        if self._window is not None:
            windows = self._windows.setdefault(state.category, CategoryWindows(self._window))
            windows.add((state.started_at, state.incident_id), state.regions)

    def _unindex(self, state: IncidentState) -> None:
        for region in self._shared_regions(state):
            _discount(self._by_region, region, state)
        if not self.shared_nationally(state):
            self._restricted.discard(state.incident_id)
            return
        audiences = self._audiences[state.category]
        audiences[state.audience] -= 1
        if not audiences[state.audience]:
            del audiences[state.audience]
            if not audiences:
                del self._audiences[state.category]
        _discount(self._by_category, state.category, state)
        self._national.remove(state)
        windows = self._windows.get(state.category)
        if windows is not None:
            windows.remove((state.started_at, state.incident_id), state.regions)
            if not windows.regions:
                del self._windows[state.category]

    def _recount(self, state: IncidentState, grip_level: str, affected_people: int) -> None:
        """Move ``state``'s counts from its former GRIP level and people affected to the new."""
        tallies = [self._by_region[region] for region in self._shared_regions(state)]
        if self.shared_nationally(state):
            tallies += [self._by_category[state.category], self._national]
        for tally in tallies:
            tally.recount(grip_level, affected_people, state)

    def category_windows(self, category: str, window: timedelta) -> CategoryWindows | None:
        """Return the starts per region of ``category``'s active incidents, for ``window``.

        Kept up to date from the first call on (built then from the active incidents; again
        if ``window`` changes); None when the category has no active incident.
        """
        if self._window != window:
            self._window, self._windows = window, {}
            for incident in self.active_incidents():  # the shared ones
                self._windows.setdefault(incident.category, CategoryWindows(window)).add(
                    (incident.started_at, incident.incident_id), incident.regions
                )
        return self._windows.get(category)

    def _touch(self, state: IncidentState) -> None:
        self._snapshots.touch(state.incident_id)
        self._changes.incidents.add(state.incident_id)
        self._changes.regions.update(state.regions)
        self._changes.categories.add(state.category)

    def active_in_region(self, region_id: str) -> Iterator[IncidentState]:
        """Yield the active incidents that affect ``region_id``, by id."""
        return (self.incidents[i] for i in self.region_tally(region_id).ids)

    def region_tally(self, region_id: str) -> Tally:
        """Return the tally of the active incidents of ``region_id`` (empty when none)."""
        return self._by_region.get(region_id) or Tally()

    def category_tallies(self) -> Mapping[str, Tally]:
        """Return the tally of the active incidents per category (categories with any)."""
        return self._by_category

    def national_tally(self) -> Tally:
        """Return the tally of every active incident."""
        return self._national

    def active_by_category(self) -> Mapping[str, list[str]]:
        """Return the ids of the active incidents per category (categories with any), sorted."""
        return {category: tally.ids for category, tally in self._by_category.items()}

    def active_incidents(self) -> Iterator[IncidentState]:
        """Yield every active incident the national view counts (not the restricted), by id."""
        return (self.incidents[i] for i in self._national.ids)

    def category_audiences(self, category: str) -> Iterable[Audience]:
        """Return the distinct audiences of the active incidents ``category``'s tally counts."""
        return self._audiences.get(category, {}).keys()

    def active_ids(self) -> list[str]:
        """Return the ids of every active incident, restricted ones included, sorted."""
        return sorted([*self._national.ids, *self._restricted])

    def take_changes(self) -> SituationChanges:
        """Return and forget what was touched since the last call."""
        changes, self._changes = self._changes, SituationChanges()
        return changes

    def touch_everything(self) -> None:
        """Mark every incident, sitrep, region and category as touched (after a restore)."""
        self._changes.incidents.update(self.incidents)
        self._changes.incidents.update(self.sitreps)
        self._changes.regions.update(self._by_region)
        self._changes.categories.update(self._by_category)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the state as a JSON-able dict."""
        return {
            "incidents": self._incident_snapshots(),
            "sitreps": {key: sitrep.to_json() for key, sitrep in self.sitreps.items()},
            "ignored": self.ignored,
            "recent": self._recent.to_snapshot(),
        }

    def _incident_snapshots(self) -> dict[str, FrozenJson]:
        """Every incident's JSON; only those changed since the last call are made again."""

        def make(incident_id: str) -> FrozenJson | None:
            state = self.incidents.get(incident_id)
            return None if state is None else FrozenJson(state.to_json())

        return self._snapshots.all(make)

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], visibility: Visibility | None = None
    ) -> SituationProjection:
        """Rebuild the projection from :meth:`to_snapshot`'s dict."""
        recent = RecentIds.from_snapshot(data["recent"])
        projection = cls(recent.capacity, visibility)
        projection._recent = recent
        projection.ignored = int(data["ignored"])
        for item in data["incidents"].values():
            state = IncidentState.from_json(item)
            state.audience = projection._audience(state.label)
            projection.incidents[state.incident_id] = state
            if state.active:
                projection._index(state)
            elif state.retire_at is not None:
                projection._retiring.append((state.retire_at, state.incident_id))
        heapq.heapify(projection._retiring)
        projection.touch_everything()  # what changed before the snapshot is not known
        projection._snapshots.touch(*projection.incidents)
        projection.sitreps = {k: SitrepState.from_json(v) for k, v in data["sitreps"].items()}
        return projection


def _labelled(
    label: AggregateLabel | None,
    event: EventEnvelope,
    visibility: Visibility,
    regions: tuple[str, ...],
) -> AggregateLabel:
    if label is None:
        return AggregateLabel.first(event)
    return label.with_event(event, visibility, regions)


def _given(value: int | None, current: int) -> int:
    return current if value is None else value


def _discount(tallies: dict[str, Tally], key: str, state: IncidentState) -> None:
    tally = tallies.get(key)
    if tally is not None:
        tally.remove(state)
        if not tally:
            del tallies[key]
