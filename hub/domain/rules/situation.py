"""Rules over the situation: high GRIP levels, and one kind of crisis in several regions.

GRIP ranks, category labels and organisation names come from the state's registry and
reference data (those the projection was given).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs.signals import SignalSeverity
from hub.contracts.reference import ReferenceData
from hub.domain.audience import EVERYONE, Audience
from hub.domain.naming import grip_name, org_name, org_names
from hub.domain.rules.condition import MAX_EVIDENCE, Condition, signal_id, unique
from hub.domain.situation import IncidentState, SituationProjection
from hub.domain.state import HubState
from hub.domain.tally import Tally
from hub.domain.thresholds import SupraRegionalThresholds, Thresholds
from hub.domain.windows import covered_spans, qualifying_spans

__all__ = [
    "GRIP_HIGH",
    "SUPRA_REGIONAL",
    "grip_high",
    "grip_high_for",
    "supra_regional",
    "supra_regional_for",
]

GRIP_HIGH = "grip_high"
SUPRA_REGIONAL = "supra_regional"


def grip_high(state: HubState, now: datetime, thresholds: Thresholds) -> dict[str, Condition]:
    """An active incident at GRIP ``min_level`` or higher; critical from ``critical_level``.

    Keyed by incident. Evidence: the report and the event that set the current GRIP level.
    A restricted incident (RED, say) raises a signal only those who may see it receive.
    """
    return grip_high_for(state, now, thresholds, state.situation.active_ids())


def grip_high_for(
    state: HubState, now: datetime, thresholds: Thresholds, incident_ids: Iterable[str]
) -> dict[str, Condition]:
    """:func:`grip_high` for the named incidents only (unknown or closed ones hold nothing)."""
    limits, reference, organisations = thresholds.grip_high, state.reference, state.organisations
    min_rank, critical_rank = limits.min_rank(reference), limits.critical_rank(reference)
    visibility = state.situation.visibility
    found: dict[str, Condition] = {}
    for incident_id in incident_ids:
        incident = state.situation.incidents.get(incident_id)
        if incident is None or not incident.active:
            continue
        rank = reference.grip_rank(incident.grip_level)
        if rank < min_rank:
            continue
        severity = SignalSeverity.CRITICAL if rank >= critical_rank else SignalSeverity.WARNING
        grip = grip_name(reference, incident.grip_level)
        where = org_names(organisations, incident.regions)
        regions = tuple(sorted(incident.regions))
        audience = visibility.label(incident.audience, visibility.signal_reach(regions))
        found[signal_id(GRIP_HIGH, incident.incident_id)] = Condition(
            rule=GRIP_HIGH,
            severity=severity,
            title=f"{grip} in {where}: {incident.title}",
            details=_grip_details(incident, limits.min_level, organisations, reference),
            regions=regions,
            evidence=unique((incident.reported_event_id, incident.grip_event_id)),
            audience=audience,
            subjects=(incident.incident_id,),
        )
    return found


def _grip_details(
    incident: IncidentState,
    min_level: str,
    organisations: OrganisationRegistry,
    reference: ReferenceData,
) -> str:
    category = reference.incident_category(incident.category).label
    return (
        f"Incident {incident.incident_id} ({category}), reported by "
        f"{org_name(organisations, incident.reported_by)}, is at "
        f"{grip_name(reference, incident.grip_level)} "
        f"(signalled from {grip_name(reference, min_level)}); status {incident.status}, "
        f"severity {incident.severity.value}, {incident.affected_people} people affected."
    )


_LISTED = 20  # incidents named in a supra-regional signal's details; the rest are counted


def supra_regional(state: HubState, now: datetime, thresholds: Thresholds) -> dict[str, Condition]:
    """One category of incident active in ``min_regions`` or more regions at once.

    Active incidents of a category count together when their ``started_at`` lie within
    ``window_hours`` of each other (inclusive); the regions of all incidents of such a group
    count, so one incident across two regions qualifies too. Keyed by category; evidence is
    the report of the incidents in a qualifying group (the first
    :data:`~hub.domain.rules.condition.MAX_EVIDENCE`, earliest first), regions all their
    regions; the details name the first 20 and count the rest.

    This is the full evaluation (every category, every incident sorted again): the oracle of
    :func:`supra_regional_for`, which the live path uses.
    """
    limits, situation = thresholds.supra_regional, state.situation
    found: dict[str, Condition] = {}
    for category, ids in situation.active_by_category().items():
        incidents = sorted(
            (situation.incidents[i] for i in ids), key=lambda s: (s.started_at, s.incident_id)
        )
        group = _grouped(incidents, limits.window, limits.min_regions)
        if group:
            regions = sorted({region for incident in group for region in incident.regions})
            unlabelled = _supra_condition(
                category, tuple(regions), group[:MAX_EVIDENCE], len(group), limits, state
            )
            audiences = {incident.audience for incident in incidents}
            condition = _labelled(unlabelled, audiences, situation)
            if condition is not None:
                found[signal_id(SUPRA_REGIONAL, category)] = condition
    return found


def _labelled(
    condition: Condition, audiences: Iterable[Audience], situation: SituationProjection
) -> Condition | None:
    """``condition`` with the narrowest of ``audiences``; None if nobody may see them all.

    The audiences are those of every active incident of the category, not only the group's:
    a few distinct ones, kept with the tallies, so the rule costs what the clusters cost (a
    narrower audience than the group alone needs, never a wider one).
    """
    audience = EVERYONE
    for each in audiences:  # narrowing is commutative: any order gives the same audience
        audience = audience.narrow(each)
    if audience.orgs is not None and not audience.orgs:
        return None
    visibility = situation.visibility
    label = visibility.label(audience, visibility.signal_reach(condition.regions))
    return replace(condition, audience=label)


def supra_regional_for(
    state: HubState, now: datetime, thresholds: Thresholds, categories: Iterable[str]
) -> dict[str, Condition]:
    """:func:`supra_regional` for the named categories, read from their running tallies.

    The moments where enough regions are present come from each region's clusters of starts
    (:mod:`hub.domain.windows`), and the incidents they cover are index ranges of the tally's
    start order, so the cost grows with the clusters and regions, not with the incidents: a
    category whose incidents all started in one burst costs the same with ten or 100,000.
    """
    limits, situation = thresholds.supra_regional, state.situation
    tallies = situation.category_tallies()
    found: dict[str, Condition] = {}
    for category in categories:
        tally = tallies.get(category)
        if tally is None:
            continue
        condition = _tally_condition(category, tally, state, limits)
        if condition is not None:
            found[signal_id(SUPRA_REGIONAL, category)] = condition
    return found


def _tally_condition(
    category: str, tally: Tally, state: HubState, limits: SupraRegionalThresholds
) -> Condition | None:
    situation = state.situation
    windows = situation.category_windows(category, limits.window)
    if windows is None:
        return None
    spans = qualifying_spans(windows, limits.min_regions)
    ranges = covered_spans(spans, tally.by_start, limits.window)
    if not ranges:
        return None
    starts = tally.by_start
    first = [situation.incidents[i] for lo, hi in ranges for _, i in starts[lo:hi][:MAX_EVIDENCE]]
    times = [(starts[lo][0], starts[hi - 1][0]) for lo, hi in ranges]
    regions = sorted(
        region
        for region, held in windows.regions.items()
        if any(held.any_within(span) for span in times)
    )
    count = sum(hi - lo for lo, hi in ranges)
    condition = _supra_condition(
        category, tuple(regions), first[:MAX_EVIDENCE], count, limits, state
    )
    return _labelled(condition, situation.category_audiences(category), situation)


def _grouped(
    incidents: list[IncidentState], window: timedelta, min_regions: int
) -> list[IncidentState]:
    """Return the incidents in any window of starts with ``min_regions`` or more regions.

    Two pointers over the incidents sorted by start: for each first incident, the window
    runs to the last one that started at most ``window`` later. The windows' ends only grow,
    so each incident is taken once: linear in the incidents.
    """
    regions: Counter[str] = Counter()
    chosen: list[IncidentState] = []
    end = covered = 0
    for first, incident in enumerate(incidents):
        while end < len(incidents) and incidents[end].started_at - incident.started_at <= window:
            regions.update(incidents[end].regions)
            end += 1
        if len(regions) >= min_regions:
            chosen.extend(incidents[max(first, covered) : end])
            covered = end
        for region in incident.regions:
            regions[region] -= 1
            if not regions[region]:
                del regions[region]
    return chosen


def _supra_condition(
    category: str,
    regions: tuple[str, ...],
    first: Sequence[IncidentState],
    count: int,
    limits: SupraRegionalThresholds,
    state: HubState,
) -> Condition:
    """The condition of a group of ``count`` incidents in ``regions``; ``first`` by start."""
    organisations = state.organisations
    label = state.reference.incident_category(category).label
    listing = "; ".join(
        f"{incident.incident_id} in {org_names(organisations, incident.regions)}"
        for incident in first[:_LISTED]
    )
    if count > _LISTED:
        listing += f"; and {count - _LISTED} more (see the situation view)"
    severity = (
        SignalSeverity.CRITICAL
        if len(regions) >= limits.critical_regions
        else SignalSeverity.WARNING
    )
    return Condition(
        rule=SUPRA_REGIONAL,
        severity=severity,
        title=f"{label} in {len(regions)} regions: {org_names(organisations, regions)}",
        details=(
            f"Active {category} incidents that started within {limits.window_hours:g} hours of "
            f"each other: {listing}."
        ),
        regions=regions,
        evidence=tuple(incident.reported_event_id for incident in first[:MAX_EVIDENCE]),
        subjects=tuple(incident.incident_id for incident in first[:MAX_EVIDENCE]),
    )
