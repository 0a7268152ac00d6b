"""Rule over capacity: little of a resource left nationally, or more asked than available.

:func:`capacity_shortfall` scans every resource type and live request: the oracle.
:func:`capacity_shortfall_due` (what the incremental tick runs) looks only at the resource
types reported, asked or committed since the last tick and those of which a report went stale
(the due-time queue of :mod:`hub.domain.due`), reading the assistance book's indexes per type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hub.contracts.outputs.signals import SignalSeverity
from hub.contracts.reference import ReferenceData
from hub.domain.assistance import AssistanceBook, Request
from hub.domain.capacity import NationalCapacity
from hub.domain.rules.condition import Condition, Found, signal_id
from hub.domain.state import HubState
from hub.domain.thresholds import CapacityShortfallThresholds, Thresholds

__all__ = [
    "CAPACITY_SHORTFALL",
    "Demand",
    "capacity_shortfall",
    "capacity_shortfall_due",
    "committed_scan",
    "open_demand",
]

CAPACITY_SHORTFALL = "capacity_shortfall"


@dataclass(frozen=True, slots=True)
class Demand:
    """What open assistance requests still need of one resource type."""

    outstanding: int
    evidence: tuple[str, ...]
    regions: tuple[str, ...]


def open_demand(book: AssistanceBook, *, scan: bool = False) -> dict[str, Demand]:
    """Return per resource type the units open requests still need, and which requests.

    Reads the book's index of open requests; with ``scan`` every live request instead.
    """
    units: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    regions: dict[str, set[str]] = {}
    requests: Iterable[Request] = (
        (
            request
            for key in sorted(book.requests)
            if (request := book.requests[key]).open and request.limit is None
        )
        if scan
        else book.open_requests()
    )
    for request in requests:
        rtype = request.resource_type
        units[rtype] = units.get(rtype, 0) + request.outstanding
        evidence.setdefault(rtype, []).append(request.event_id)
        regions.setdefault(rtype, set()).add(request.region)
    return {
        rtype: Demand(units[rtype], tuple(evidence[rtype]), tuple(sorted(regions[rtype])))
        for rtype in units
    }


def committed_scan(book: AssistanceBook) -> dict[str, dict[str, int]]:
    """:meth:`AssistanceBook.committed` from a scan of every live request (the oracle)."""
    totals: dict[str, dict[str, int]] = {}
    for request in book.requests.values():
        if request.withdrawn or request.limit is not None:  # a restricted request: not shared
            continue
        for offer in request.offers.values():
            if offer.accepted and not offer.withdrawn:
                per_org = totals.setdefault(offer.resource_type, {})
                per_org[offer.offerer] = per_org.get(offer.offerer, 0) + offer.accepted
    return totals


def capacity_shortfall_due(state: HubState, now: datetime, thresholds: Thresholds) -> Found:
    """:func:`capacity_shortfall` for the resource types changed or with a report gone stale."""
    capacity, book = state.capacity, state.assistance
    max_age = thresholds.capacity.max_report_age
    reported = capacity.watch.take(now, capacity.resource_types)
    keys = sorted({*reported, *book.type_watch.take(now, book.resource_types)})
    found: dict[str, Condition] = {}
    for rtype in keys:
        national = capacity.national(rtype, now, max_age, book.committed_of_type(rtype))
        demand = _demand(book.open_of_type(rtype))
        condition = _shortfall(national, demand, thresholds.capacity_shortfall, state.reference)
        if condition is not None:
            found[signal_id(CAPACITY_SHORTFALL, rtype)] = condition
        capacity.watch.watch(rtype, capacity.next_stale(rtype, now, max_age))
    return Found(found, CAPACITY_SHORTFALL, keys)


def _demand(requests: Iterable[Request]) -> Demand | None:
    """The demand of open ``requests`` of one resource type (None when there are none)."""
    outstanding, evidence, regions = 0, [], set()
    for request in requests:
        outstanding += request.outstanding
        evidence.append(request.event_id)
        regions.add(request.region)
    return Demand(outstanding, tuple(evidence), tuple(sorted(regions))) if evidence else None


def capacity_shortfall(
    state: HubState, now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    """National availability of a resource type under ``min_available_percent`` of its total.

    Also when open assistance requests still need more units of a type than are available
    nationally. Only non-stale reports count (a stale report says nothing about now); a type
    without any non-stale total raises nothing on the percentage. Critical under
    ``critical_available_percent`` or when demand exceeds availability. Keyed by resource
    type; evidence: the non-stale reports and the open requests; regions: the requesters'.
    Scans every live assistance request (the oracle of :func:`capacity_shortfall_indexed`).
    """
    book = state.assistance
    committed, demand = committed_scan(book), open_demand(book, scan=True)
    return _capacity_shortfall(state, now, thresholds, committed, demand)


def _capacity_shortfall(
    state: HubState,
    now: datetime,
    thresholds: Thresholds,
    committed: dict[str, dict[str, int]],
    demand: dict[str, Demand],
) -> dict[str, Condition]:
    max_age = thresholds.capacity.max_report_age
    found: dict[str, Condition] = {}
    for rtype in sorted(set(state.capacity.resource_types()) | set(demand)):
        national = state.capacity.national(rtype, now, max_age, committed.get(rtype, {}))
        limits = thresholds.capacity_shortfall
        condition = _shortfall(national, demand.get(rtype), limits, state.reference)
        if condition is not None:
            found[signal_id(CAPACITY_SHORTFALL, rtype)] = condition
    return found


def _below(national: NationalCapacity, percent: int) -> bool:
    return national.total > 0 and national.available * 100 < percent * national.total


def _shortfall(
    national: NationalCapacity,
    demand: Demand | None,
    limits: CapacityShortfallThresholds,
    reference: ReferenceData,
) -> Condition | None:
    low = _below(national, limits.min_available_percent)
    short = demand is not None and demand.outstanding > national.available
    if not (low or short):
        return None
    critical = short or _below(national, limits.critical_available_percent)
    resource = reference.resource_type(national.resource_type)
    facts = [
        f"{national.available} of {national.total} available nationally (unit: {resource.unit}) "
        f"in non-stale reports; signalled under {limits.min_available_percent} %"
    ]
    if demand is not None:
        facts.append(f"open assistance requests still need {demand.outstanding}")
    if national.stale_orgs:
        facts.append(f"stale reports from {', '.join(national.stale_orgs)}")
    return Condition(
        rule=CAPACITY_SHORTFALL,
        severity=SignalSeverity.CRITICAL if critical else SignalSeverity.WARNING,
        title=f"Capacity shortfall: {resource.label}",
        details="; ".join(facts) + ".",
        regions=demand.regions if demand is not None else (),
        evidence=national.evidence + (demand.evidence if demand is not None else ()),
    )
