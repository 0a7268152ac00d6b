"""The view records: built from the projections at tick time, published when they change.

:class:`ViewBook` remembers the record last published under each key. At a tick it rebuilds
only what may have changed (incidents and regions touched since the last tick, regions whose
silence flipped, the national view if anything moved, and the capacity of every resource
type, whose staleness depends on the time) and publishes a record only if its content differs
from the last one published under its key. Region and national views are read from the
running tallies of :class:`~hub.domain.situation.SituationProjection`, so their cost does not
grow with the number of active incidents; they list at most :data:`REGION_LISTED` /
:data:`CATEGORY_LISTED` incident ids and count the rest. The first tick, and the first after a
restore, consider every key; unchanged ones are still not published again. The scenario views
are built by the scenario monitor (:mod:`hub.domain.monitoring`) and handed to
:meth:`ViewBook.publish_changed`, which publishes them on the same terms. An incident that
left the live state has its view retired (:meth:`ViewBook.retire`): a tombstone on its topic.

TLP: region, national and capacity views count only what every organisation they reach may
see (the projections' shared tallies, :mod:`hub.domain.audience`). An incident view is
*restricted* when not everyone the view reaches may see the incident, or its label is stricter
than the views' (AMBER_STRICT, RED): it never goes to the
shared view topic, only, labelled, to the outboxes of those who may see it
(:meth:`ViewBook.label_of`); if its view was on the topic before the incident narrowed, it is
withdrawn there (:meth:`ViewBook.take_withdrawn`: a tombstone). The latest sitrep shows in an
incident view only when its audience is at least as wide as the incident's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from hub.contracts.outputs import view_model_for
from hub.contracts.outputs.views import (
    CAPACITY,
    SCENARIOS,
    SITUATION,
    CategoryIncidents,
    GripRegions,
    IncidentView,
    IncidentViewStatus,
    NationalSituationView,
    RegionView,
    ResourceCapacityView,
    ScenarioView,
    SitrepDigest,
    View,
)
from hub.contracts.reference import ReferenceData
from hub.domain._common import FrozenJson, FrozenSnapshots
from hub.domain.audience import Audience, Visibility, default_visibility, strictest
from hub.domain.situation import SitrepState, SituationChanges, SituationProjection
from hub.domain.state import HubState
from hub.domain.tally import Tally
from hub.domain.thresholds import Thresholds

__all__ = ["CATEGORY_LISTED", "REGION_LISTED", "RegionSummary", "ViewBook", "ViewRecord"]

REGION_LISTED = 500
"""At most this many incident ids in a region view (the first by id); ``active_count``: all."""
CATEGORY_LISTED = 100
"""At most this many incident ids per category in the national view; ``count`` counts all."""


class ViewRecord(NamedTuple):
    """One record for a compacted view topic: ``kcr.view.<kind>``, its key and its value."""

    kind: str
    key: str
    view: View


@dataclass(frozen=True, slots=True)
class RegionSummary:
    """The active incidents of one region, summarised."""

    active_incidents: tuple[str, ...] = ()
    highest_grip: str | None = None
    categories: tuple[str, ...] = ()
    affected_people: int = 0
    active_count: int = 0

    @classmethod
    def of(cls, tally: Tally, reference: ReferenceData) -> RegionSummary:
        """Summarise a region's tally of active incidents (GRIP levels ranked by ``reference``)."""
        if not tally:
            return cls()
        return cls(
            active_incidents=tuple(tally.ids[:REGION_LISTED]),
            highest_grip=max(tally.grips, key=reference.grip_rank),
            categories=tuple(sorted(tally.categories)),
            affected_people=tally.affected_people,
            active_count=len(tally),
        )


class _Stamp(NamedTuple):
    now: datetime
    tick: int


def _incident_view(situation: SituationProjection, incident_id: str, at: _Stamp) -> IncidentView:
    state = situation.incidents[incident_id]
    sitrep = situation.sitreps.get(incident_id)
    digest = None
    if sitrep is not None and _sitrep_shown(situation, state.audience, state.regions, sitrep):
        digest = SitrepDigest(
            sitrep_id=sitrep.sitrep_id,
            summary=sitrep.summary,
            published_at=sitrep.published_at,
            source=sitrep.source,
        )
    return IncidentView(
        incident_id=state.incident_id,
        category=state.category,
        title=state.title,
        status=cast(IncidentViewStatus, state.status),
        grip_level=state.grip_level,
        severity=state.severity,
        regions=state.regions,
        affected_people=state.affected_people,
        reported_by=state.reported_by,
        started_at=state.started_at,
        updated_at=state.updated_at,
        closed_at=state.closed_at,
        last_sitrep=digest,
        as_of=at.now,
        tick=at.tick,
    )


def _sitrep_shown(
    situation: SituationProjection,
    incident: Audience,
    regions: tuple[str, ...],
    sitrep: SitrepState,
) -> bool:
    """Whether the sitrep may be shown in the incident's view.

    It may when everyone the view reaches may see it, under a label no stricter than the
    view's.
    """
    visibility = situation.visibility
    reach = incident.limit(visibility.view_audience(regions))
    label = strictest(visibility.view_tlp, incident.tlp)
    return sitrep.audience.covers(reach) and strictest(sitrep.audience.tlp, label) is label


def _region_view(
    state: HubState, region_id: str, summary: RegionSummary, at: _Stamp, th: Thresholds
) -> RegionView:
    activity = state.activity
    return RegionView(
        region_id=region_id,
        name=state.organisations.get(region_id).name,
        active_incidents=summary.active_incidents,
        active_count=summary.active_count,
        highest_grip=summary.highest_grip,
        categories=summary.categories,
        affected_people=summary.affected_people,
        silent=activity.is_silent(region_id, at.now, th.silent_organisation.max_silence),
        last_seen=activity.last_seen(region_id),
        as_of=at.now,
        tick=at.tick,
    )


def _national_view(
    state: HubState, summaries: dict[str, RegionSummary], at: _Stamp
) -> NationalSituationView:
    situation = state.situation
    by_grip: dict[str, list[str]] = {}
    for region_id in sorted(summaries):
        grip = summaries[region_id].highest_grip
        if grip is not None:
            by_grip.setdefault(grip, []).append(region_id)
    national = situation.national_tally()
    return NationalSituationView(
        regions_by_grip=tuple(
            GripRegions(grip_level=code, regions=tuple(by_grip[code]))
            for code in state.reference.grip_codes()
            if code in by_grip
        ),
        incidents_by_category=tuple(
            CategoryIncidents(
                category=category, incidents=tuple(tally.ids[:CATEGORY_LISTED]), count=len(tally)
            )
            for category, tally in sorted(situation.category_tallies().items())
        ),
        total_affected=national.affected_people,
        active_incidents=len(national),
        as_of=at.now,
        tick=at.tick,
    )


def _capacity_views(
    state: HubState, at: _Stamp, th: Thresholds, only: Callable[[str], bool] = lambda _: True
) -> list[ResourceCapacityView]:
    """The capacity views of every resource type reported or committed (``only`` those)."""
    committed = state.assistance.committed()
    capacity, max_age = state.capacity, th.capacity.max_report_age
    views = []
    for rtype in sorted(set(capacity.resource_types()) | set(committed)):
        if not only(rtype):
            continue
        national = capacity.national(rtype, at.now, max_age, committed.get(rtype, {}))
        views.append(
            ResourceCapacityView(
                resource_type=rtype,
                unit=state.reference.resource_type(rtype).unit,
                total=national.total,
                available=national.available,
                committed=national.committed,
                per_organisation=national.per_organisation,
                stale_orgs=national.stale_orgs,
                as_of=at.now,
                tick=at.tick,
            )
        )
    return views


def _summaries(state: HubState, regions: Iterable[str]) -> dict[str, RegionSummary]:
    situation, reference = state.situation, state.reference
    return {r: RegionSummary.of(situation.region_tally(r), reference) for r in regions}


def _same_content(new: View, old: View) -> bool:
    return new.model_copy(update={"as_of": old.as_of, "tick": old.tick}) == old


class ViewBook:
    """The view records last published, by key, and the region summaries behind them."""

    def __init__(self, visibility: Visibility | None = None) -> None:
        self.visibility = visibility or default_visibility()
        self.published: dict[str, View] = {}
        self._labels: dict[str, Audience] = {}  # keys whose last record is restricted
        self._withdrawn: list[ViewRecord] = []
        self._summaries: dict[str, RegionSummary] = {}
        self._everything = True
        self._snapshots = FrozenSnapshots()  # each published view's JSON, made once per change
        self._committed: dict[str, dict[str, int]] = {}  # units committed, per type (last tick)

    def all_views(
        self,
        state: HubState,
        now: datetime,
        tick: int,
        th: Thresholds,
        extra: Iterable[View] = (),
    ) -> list[ViewRecord]:
        """Return every view as it is at ``now``, then the ``extra`` ones (changes nothing)."""
        at, regions = _Stamp(now, tick), state.organisations.region_ids()
        summaries = _summaries(state, regions)
        situation = state.situation
        views: list[View] = [
            _incident_view(situation, i, at)
            for i in sorted(situation.incidents)
            if self._label(state, i) is None
        ]
        views += [_region_view(state, r, summaries[r], at, th) for r in regions]
        views.append(_national_view(state, summaries, at))
        views += _capacity_views(state, at, th)
        views += extra
        return [_record(view) for view in views]

    def changed_views(
        self,
        state: HubState,
        changes: SituationChanges,
        now: datetime,
        tick: int,
        th: Thresholds,
    ) -> list[ViewRecord]:
        """Return the views whose content changed since they were last published; publish them.

        ``changes`` is what events touched since the last tick; the first tick (and the first
        after a restore) considers every incident and region instead.
        """
        at, regions = _Stamp(now, tick), state.organisations.region_ids()
        situation = state.situation
        if self._everything:
            changes = SituationChanges(
                {*situation.incidents, *situation.sitreps, *changes.incidents},
                set(regions) | changes.regions,
                set(changes.categories),
            )
        incidents, dirty_regions = changes.incidents, changes.regions
        self._summaries.update(
            _summaries(state, dirty_regions | (set(regions) - self._summaries.keys()))
        )
        records = [
            record
            for i in sorted(incidents)
            if i in situation.incidents
            and (record := self._publish(_incident_view(situation, i, at), self._label(state, i)))
        ]
        views: list[View] = []
        views += [
            _region_view(state, r, self._summaries[r], at, th)
            for r in regions
            if r in dirty_regions or self._activity_moved(state, r, at, th)
        ]
        if incidents or dirty_regions or "national" not in self.published:
            views.append(_national_view(state, self._summaries, at))
        views += self._changed_capacity(state, at, th)
        self._everything = False
        return records + [record for view in views if (record := self._publish(view))]

    def _changed_capacity(
        self, state: HubState, at: _Stamp, th: Thresholds
    ) -> list[ResourceCapacityView]:
        """The capacity views that may have changed since the last tick.

        Those of the resource types reported since, whose committed units changed, or one of
        whose reports went stale since. A report goes stale at a known moment, so each type
        waits in the capacity book's view watch for its next one (never a pass over every
        report at every tick).
        """
        capacity, max_age = state.capacity, th.capacity.max_report_age
        committed = state.assistance.committed()
        looked = set(capacity.view_watch.take(at.now, capacity.resource_types))
        seen = self._committed
        looked.update(t for t in seen.keys() | committed.keys() if seen.get(t) != committed.get(t))
        self._committed = committed
        if self._everything:
            looked.update(capacity.resource_types(), committed)
        for rtype in looked:
            capacity.view_watch.watch(rtype, capacity.next_stale(rtype, at.now, max_age))
        return _capacity_views(state, at, th, looked.__contains__)

    def consider_everything(self) -> None:
        """Let the next tick consider every key, not only those touched (as after a restore)."""
        self._everything = True

    def retire(self, key: str) -> ViewRecord | None:
        """Forget the view published under ``key``; return it, to be tombstoned on its topic.

        None if there is none, or if it is restricted (it is not on the topic).
        """
        view = self.published.pop(key, None)
        self._snapshots.touch(key)
        restricted = self._labels.pop(key, None) is not None
        return None if view is None or restricted else _record(view)

    def publish_changed(
        self,
        views: Iterable[View],
        label_of: Callable[[View], Audience | None] = lambda _: None,
    ) -> list[ViewRecord]:
        """Return the ``views`` whose content changed since last published; publish them.

        ``label_of`` gives who may see what a view was derived from when not all it reaches
        may (None: shared).
        """
        return [record for view in views if (record := self._publish(view, label_of(view)))]

    def label_of(self, key: str) -> Audience | None:
        """Return who may see the record last published under ``key``; None: it is shared."""
        return self._labels.get(key)

    def take_withdrawn(self) -> list[ViewRecord]:
        """Return and forget the records that left the shared topic (their subject narrowed)."""
        withdrawn, self._withdrawn = self._withdrawn, []
        return withdrawn

    def relabel(self, state: HubState) -> None:
        """Learn which published incident views are restricted, from ``state`` (a restore)."""
        for key in self.published:
            if key.startswith("incident/"):
                label = self._label(state, key.removeprefix("incident/"))
                if label is not None:
                    self._labels[key] = label

    def _label(self, state: HubState, incident_id: str) -> Audience | None:
        """The audience of the incident's view if not all it reaches may see it, else None."""
        incident = state.situation.incidents.get(incident_id)
        if incident is None:
            return None
        audience, visibility = incident.audience, self.visibility
        reach = visibility.view_audience(incident.regions)
        return None if visibility.shares(audience, reach, visibility.view_tlp) else audience

    def _activity_moved(self, state: HubState, region_id: str, at: _Stamp, th: Thresholds) -> bool:
        old = self.published.get(f"region/{region_id}")
        if not isinstance(old, RegionView):
            return True
        silent = state.activity.is_silent(region_id, at.now, th.silent_organisation.max_silence)
        return old.silent != silent or old.last_seen != state.activity.last_seen(region_id)

    def _publish(self, view: View, label: Audience | None = None) -> ViewRecord | None:
        """Publish ``view`` (restricted to ``label``) if it changed; return its record."""
        key = view.key
        old, old_label = self.published.get(key), self._labels.get(key)
        if old is not None and old_label == label and _same_content(view, old):
            return None
        self.published[key] = view
        self._snapshots.touch(key)
        if label is None:
            self._labels.pop(key, None)
        else:
            if old is not None and old_label is None:
                self._withdrawn.append(_record(old))
            self._labels[key] = label
        return _record(view)

    def published_views(self) -> list[ViewRecord]:
        """Return the shared record last published under every key, sorted by kind and key.

        What the compacted view topics hold: restricted records are not there.
        """
        shared = (v for key, v in self.published.items() if key not in self._labels)
        return sorted(map(_record, shared), key=lambda r: (r.kind, r.key))

    def to_snapshot(self) -> dict[str, Any]:
        """Return the published records as a JSON-able dict (each view dumped once per change)."""

        def make(key: str) -> FrozenJson | None:
            view = self.published.get(key)
            return None if view is None else _dump(view)

        return self._snapshots.all(make)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], visibility: Visibility | None = None) -> ViewBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict; the next tick considers every key.

        Which records are restricted is learnt from the state (:meth:`relabel`).
        """
        book = cls(visibility)
        for key, record in data.items():
            view = view_model_for(key)[1].model_validate(record)
            if not isinstance(view, View):  # pragma: no cover - every view model is a View
                raise TypeError(f"{key} is not a view record")
            book.published[key] = view
            book._snapshots.touch(key)
        return book


def _dump(view: View) -> FrozenJson:
    return FrozenJson(view.model_dump(mode="json"))


def _record(view: View) -> ViewRecord:
    if isinstance(view, ResourceCapacityView):
        return ViewRecord(CAPACITY, view.key, view)
    if isinstance(view, ScenarioView):
        return ViewRecord(SCENARIOS, view.key, view)
    return ViewRecord(SITUATION, view.key, view)
