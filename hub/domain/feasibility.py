"""Feasibility of a measure: what it needs against live available capacity, at three levels.

Availability counts the ``available`` units of non-stale capacity reports by where the
capacity is (the report's ``region``, else the reporting region itself): in the region of the
measure, in that region and its neighbours, and nationally (every non-stale report, national
partners included). Per resource type the need is *sufficient* when the region has it,
*needs_assistance* when only others can make up the difference, and a *bottleneck* when not
even the country has enough. The verdict follows: ``feasible`` (every type sufficient),
``feasible_with_assistance`` (no bottleneck), ``not_feasible`` (any bottleneck). A request
that does not fit its template gets ``invalid_request`` and the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from hub.contracts.events.advice import AdviceParameter
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs.advice import AdviceDraftData, AdviceLine, Assessment, Verdict
from hub.contracts.reference import ReferenceData
from hub.domain._common import clip
from hub.domain.capacity import CapacityProjection
from hub.domain.measures import InvalidMeasureRequest, MeasureCatalogue, needs_of
from hub.domain.naming import org_name
from hub.domain.step_context import StepContext

__all__ = ["AdviceSubject", "Availability", "assess", "availability", "draft_advice"]

_MAX_TEXT = 10_000


class AdviceSubject(NamedTuple):
    """What an advice is about: the request's facts the draft repeats."""

    advice_id: str
    requester: str
    measure: str
    parameters: tuple[tuple[str, float], ...]
    region: str
    incident_id: str | None


class Availability(NamedTuple):
    """Available units of one resource type at the three levels."""

    region: int
    with_neighbours: int
    national: int


def availability(
    capacity: CapacityProjection,
    resource_type: str,
    region: str,
    at: tuple[datetime, timedelta],
    organisations: OrganisationRegistry,
) -> Availability:
    """Return the available units of ``resource_type`` for ``region`` at (now, max report age)."""
    neighbours = {org.id for org in organisations.neighbours(region)}
    in_region = around = national = 0
    for report in capacity.fresh_reports(resource_type, *at):
        national += report.available
        if report.region == region:
            in_region += report.available
        if report.region == region or report.region in neighbours:
            around += report.available
    return Availability(in_region, around, national)


def assess(need: int, available: Availability) -> Assessment:
    """Return whether ``need`` is met by the region, only with help, or not at all."""
    if need <= available.region:
        return "sufficient"
    return "needs_assistance" if need <= available.national else "bottleneck"


def _verdict(lines: list[AdviceLine]) -> Verdict:
    assessments = {line.assessment for line in lines}
    if "bottleneck" in assessments:
        return "not_feasible"
    return "feasible_with_assistance" if "needs_assistance" in assessments else "feasible"


def _line(
    resource_type: str, need: int, available: Availability, reference: ReferenceData
) -> AdviceLine:
    return AdviceLine(
        resource_type=resource_type,
        unit=reference.resource_type(resource_type).unit,
        need=need,
        available_region=available.region,
        available_with_neighbours=available.with_neighbours,
        available_national=available.national,
        assessment=assess(need, available),
    )


def _explanation(
    subject: AdviceSubject,
    verdict: Verdict,
    lines: list[AdviceLine],
    organisations: OrganisationRegistry,
) -> str:
    place = f"{org_name(organisations, subject.region)} ({subject.region})"
    words = verdict.replace("_", " ")
    parts = [f"Measure {subject.measure!r} in {place}: {words}."]
    parts.append("Needs: " + ", ".join(f"{line.need} {line.resource_type}" for line in lines) + ".")
    for assessment, label in (
        ("needs_assistance", "Needs assistance from outside the region"),
        ("bottleneck", "Bottleneck, not enough available nationally"),
    ):
        chosen = [line for line in lines if line.assessment == assessment]
        if chosen:
            parts.append(f"{label}: " + "; ".join(_numbers(line) for line in chosen) + ".")
    return " ".join(parts)


def _numbers(line: AdviceLine) -> str:
    return (
        f"{line.resource_type} (need {line.need}, available {line.available_region} in the "
        f"region, {line.available_with_neighbours} with neighbours, "
        f"{line.available_national} nationally)"
    )


def draft_advice(
    subject: AdviceSubject,
    capacity: CapacityProjection,
    catalogue: MeasureCatalogue,
    context: StepContext,
) -> AdviceDraftData:
    """Return the draft advice on ``subject`` at the context's moment; never raises."""
    at, organisations = (context.now, context.max_report_age), context.organisations
    base = {
        "advice_id": subject.advice_id,
        "requester": subject.requester,
        "measure": subject.measure,
        "parameters": tuple(AdviceParameter(name=n, value=v) for n, v in subject.parameters),
        "region": subject.region,
        "incident_id": subject.incident_id,
        "neighbours": tuple(org.id for org in organisations.neighbours(subject.region)),
        "drafted_at": context.now,
    }
    try:
        needs = needs_of(catalogue, subject.measure, dict(subject.parameters))
    except InvalidMeasureRequest as error:
        return AdviceDraftData(
            **base, verdict="invalid_request", explanation=clip(error.message, _MAX_TEXT)
        )
    region, reference = subject.region, context.reference
    lines = [
        _line(rt, need, availability(capacity, rt, region, at, organisations), reference)
        for rt, need in needs
    ]
    verdict = _verdict(lines)
    return AdviceDraftData(
        **base,
        verdict=verdict,
        explanation=clip(_explanation(subject, verdict, lines, organisations), _MAX_TEXT),
        lines=tuple(lines),
        bottlenecks=_types(lines, "bottleneck"),
        needs_assistance=_types(lines, "needs_assistance"),
    )


def _types(lines: list[AdviceLine], assessment: Assessment) -> tuple[str, ...]:
    return tuple(line.resource_type for line in lines if line.assessment == assessment)
