"""Rules over the situation: high GRIP levels, and one kind of crisis in several regions."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from hub.contracts.outputs.signals import SignalSeverity
from hub.contracts.reference import load_reference
from hub.domain.rules.condition import Condition, grip_name, names, org_name, signal_id, unique
from hub.domain.situation import IncidentState
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds

__all__ = ["GRIP_HIGH", "SUPRA_REGIONAL", "grip_high", "supra_regional"]

GRIP_HIGH = "grip_high"
SUPRA_REGIONAL = "supra_regional"


def grip_high(state: HubState, now: datetime, thresholds: Thresholds) -> dict[str, Condition]:
    """An active incident at GRIP ``min_level`` or higher; critical from ``critical_level``.

    Keyed by incident. Evidence: the report and the event that set the current GRIP level.
    """
    limits, reference = thresholds.grip_high, load_reference()
    found: dict[str, Condition] = {}
    for incident in state.situation.active_incidents():
        rank = reference.grip_rank(incident.grip_level)
        if rank < limits.min_rank:
            continue
        severity = (
            SignalSeverity.CRITICAL if rank >= limits.critical_rank else SignalSeverity.WARNING
        )
        found[signal_id(GRIP_HIGH, incident.incident_id)] = Condition(
            rule=GRIP_HIGH,
            severity=severity,
            title=(
                f"{grip_name(incident.grip_level)} in {names(incident.regions)}: {incident.title}"
            ),
            details=_grip_details(incident, limits.min_level),
            regions=tuple(sorted(incident.regions)),
            evidence=unique((incident.reported_event_id, incident.grip_event_id)),
        )
    return found


def _grip_details(incident: IncidentState, min_level: str) -> str:
    category = load_reference().incident_category(incident.category).label
    return (
        f"Incident {incident.incident_id} ({category}), reported by "
        f"{org_name(incident.reported_by)}, is at {grip_name(incident.grip_level)} "
        f"(signalled from {grip_name(min_level)}); status {incident.status}, "
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
    """
    limits, situation = thresholds.supra_regional, state.situation
    found: dict[str, Condition] = {}
    for category, ids in situation.active_by_category().items():
        incidents = sorted(
            (situation.incidents[i] for i in ids), key=lambda s: (s.started_at, s.incident_id)
        )
        group = _grouped(incidents, limits.window, limits.min_regions)
        if group:
            found[signal_id(SUPRA_REGIONAL, category)] = _supra_condition(
                category, group, limits.critical_regions, limits.window_hours
            )
    return found


def _grouped(
    incidents: list[IncidentState], window: timedelta, min_regions: int
) -> list[IncidentState]:
    """Return the incidents in any window of starts with ``min_regions`` or more regions.

    Two pointers over the incidents sorted by start: for each first incident, the window
    runs to the last one that started at most ``window`` later.
    """
    regions: Counter[str] = Counter()
    chosen: set[int] = set()
    end = 0
    for first, incident in enumerate(incidents):
        while end < len(incidents) and incidents[end].started_at - incident.started_at <= window:
            regions.update(incidents[end].regions)
            end += 1
        if len(regions) >= min_regions:
            chosen.update(range(first, end))
        for region in incident.regions:
            regions[region] -= 1
            if not regions[region]:
                del regions[region]
    return [incidents[i] for i in sorted(chosen)]


def _supra_condition(
    category: str, group: list[IncidentState], critical_regions: int, window_hours: float
) -> Condition:
    regions = tuple(sorted({region for incident in group for region in incident.regions}))
    label = load_reference().incident_category(category).label
    listing = "; ".join(
        f"{incident.incident_id} in {names(incident.regions)}" for incident in group[:_LISTED]
    )
    if len(group) > _LISTED:
        listing += f"; and {len(group) - _LISTED} more (see the situation view)"
    severity = (
        SignalSeverity.CRITICAL if len(regions) >= critical_regions else SignalSeverity.WARNING
    )
    return Condition(
        rule=SUPRA_REGIONAL,
        severity=severity,
        title=f"{label} in {len(regions)} regions: {names(regions)}",
        details=(
            f"Active {category} incidents that started within {window_hours:g} hours of each "
            f"other: {listing}."
        ),
        regions=regions,
        evidence=tuple(incident.reported_event_id for incident in group),
    )
