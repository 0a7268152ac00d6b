"""Rules over the workflows: overdue answers to information requests, tripped indicators.

``information_overdue`` scans every live request: the oracle. :func:`information_overdue_due`
(what the incremental tick runs) looks only at the requests answered, asked or retired since
the last tick and those whose ``respond_by`` plus the grace has passed (the book's due-time
queue, :mod:`hub.domain.due`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs.signals import SignalSeverity
from hub.domain._common import dt_to_json
from hub.domain.audience import limited
from hub.domain.conditions import METRICS, evaluate, metrics_of
from hub.domain.information import InformationRequest
from hub.domain.monitoring import MetricReader
from hub.domain.naming import org_name, org_names
from hub.domain.rules.condition import Condition, Found, signal_id
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds
from hub.domain.workflow_labels import scenario_audience

__all__ = [
    "INFORMATION_OVERDUE",
    "SCENARIO_INDICATOR",
    "information_overdue",
    "information_overdue_due",
    "scenario_indicator",
]

INFORMATION_OVERDUE = "information_overdue"
SCENARIO_INDICATOR = "scenario_indicator"


def information_overdue(
    state: HubState, now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    """Addressees of an information request that have not answered by its ``respond_by``.

    Keyed by request; lists who is overdue; regions: the overdue regions; addressed to the
    requester; evidence: the request. Resolves once every addressee has answered (or the
    request left the live state). Scans every live request: the oracle of
    :func:`information_overdue_indexed`.
    """
    requests = state.information.requests
    scanned = (requests[key] for key in sorted(requests))
    return _information_overdue(state.organisations, scanned, now, thresholds)


def information_overdue_due(state: HubState, now: datetime, thresholds: Thresholds) -> Found:
    """:func:`information_overdue` for the requests changed or past ``respond_by`` + grace."""
    book, grace = state.information, thresholds.information_overdue.grace
    keys = book.watch.take(now, book.requests.keys)
    looked = [r for key in keys if (r := book.requests.get(key)) is not None and r.outstanding()]
    moments = {r.request_id: r.respond_by + grace for r in looked if now <= r.respond_by + grace}
    for key in keys:
        book.watch.watch(key, moments.get(key))
    found = _information_overdue(state.organisations, looked, now, thresholds)
    return Found(found, INFORMATION_OVERDUE, keys)


def _information_overdue(
    registry: OrganisationRegistry,
    requests: Iterable[InformationRequest],
    now: datetime,
    thresholds: Thresholds,
) -> dict[str, Condition]:
    grace = thresholds.information_overdue.grace
    found: dict[str, Condition] = {}
    for request in requests:
        request_id = request.request_id
        overdue = request.outstanding()
        if not overdue or now <= request.respond_by + grace:
            continue
        requester = org_name(registry, request.requester)
        found[signal_id(INFORMATION_OVERDUE, request_id)] = Condition(
            rule=INFORMATION_OVERDUE,
            severity=SignalSeverity.WARNING,
            title=(
                f"{len(overdue)} of {len(request.addressees)} have not answered "
                f"{requester}'s information request"
            ),
            details=(
                f"Request {request_id} of {requester} was to be answered by "
                f"{dt_to_json(request.respond_by)}; no answer from {org_names(registry, overdue)} "
                f"({', '.join(overdue)})."
            ),
            regions=tuple(org for org in overdue if registry.is_region(org)),
            evidence=(request.event_id,),
            recipients=(request.requester,),
            audience=limited(request.tlp, request.limit),
        )
    return found


def scenario_indicator(
    state: HubState, now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    """An indicator of an active scenario whose condition holds.

    Keyed by scenario and indicator; regions: the regions its condition names; evidence: the
    scenario's definition. Its audience: who may see the definition and every metric it
    reads (:func:`~hub.domain.workflow_labels.scenario_audience`). Resolves when the
    condition no longer holds or the scenario is retired or redefined without it.
    """
    reader = MetricReader(state, now, thresholds.capacity.max_report_age)
    visibility = state.visibility
    found: dict[str, Condition] = {}
    for scenario in state.scenarios.active():
        for indicator in scenario.indicators:
            if indicator.node is None or not evaluate(indicator.node, reader):
                continue
            metrics = metrics_of(indicator.node)
            key = f"{scenario.scenario_id}/{indicator.indicator_id}"
            regions = tuple(
                sorted(
                    {
                        m.argument
                        for m in metrics
                        if m.argument is not None and METRICS[m.name].argument == "region"
                    }
                )
            )
            audience = scenario_audience(visibility, scenario, metrics)
            found[signal_id(SCENARIO_INDICATOR, key)] = Condition(
                rule=SCENARIO_INDICATOR,
                severity=SignalSeverity.WARNING,
                title=f"Scenario {scenario.name}: {indicator.description}",
                details=(
                    f"Indicator {indicator.indicator_id} of scenario {scenario.scenario_id} "
                    f"holds: {indicator.condition}."
                ),
                regions=regions,
                evidence=(scenario.event_id,),
                audience=visibility.label(audience, visibility.signal_reach(regions)),
            )
    return found
