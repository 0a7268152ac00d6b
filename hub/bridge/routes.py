"""The bridge's routes: five ways in (JSON, CAP, EDXL, HAVE, CSV) and the outbox as SSE.

A capacity CSV is the one partial case: rows are independent reports, so the good rows are
published and the bad ones are answered by line (422 with ``published`` listing the ids sent).
Everything else is all or nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from hub.bridge.context import Organisation, context_of, read_body
from hub.bridge.problems import BridgeProblem, problem_responses
from hub.bridge.sse import OutboxSource, parse_event_id, stream_outbox
from hub.bridge.validation import (
    cap_events,
    csv_import,
    csv_row_problem,
    edxl_events,
    have_events,
    json_events,
    parse_json,
)
from hub.contracts.events.envelope import EventEnvelope

__all__ = ["Accepted", "router"]

router = APIRouter(prefix="/v1")

JSON_TYPES = (
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
    "application/json",
)
XML_TYPES = ("application/xml", "text/xml", "application/cap+xml")
HAVE_TYPES = ("application/xml", "text/xml")
CSV_TYPES = ("text/csv", "application/csv")
_ERRORS = problem_responses(401, 403, 413, 415, 422, 503)


class Accepted(BaseModel):
    """What was published: the ingress topic and the ids of the events, in order."""

    topic: str = Field(description="The organisation's ingress topic.")
    ids: list[str] = Field(description="The ids of the published events.")


def _body_spec(types: tuple[str, ...], schema: dict[str, Any]) -> dict[str, Any]:
    content = {media_type: {"schema": schema} for media_type in types}
    return {"requestBody": {"required": True, "content": content}}


_EXAMPLE_EVENT = {
    "specversion": "1.0",
    "type": "nl.kcr.incident.reported",
    "source": "vr19",
    "subject": "inc-vr19-example",
    "tlp": "GREEN",
    "data": {
        "incident_id": "inc-vr19-example",
        "category": "flood",
        "title": "Dijkdoorbraak bij Kruiningen",
        "description": "De Westerscheldedijk is over 40 meter bezweken.",
        "regions": ["vr19"],
        "grip_level": "3",
        "severity": "severe",
        "started_at": "2026-11-27T03:40:00Z",
    },
}
_EVENT_SCHEMA = {
    "oneOf": [
        {"type": "object", "description": "One CloudEvents structured-mode document."},
        {"type": "array", "items": {"type": "object"}, "description": "A batch."},
    ],
    "example": _EXAMPLE_EVENT,
}
_TEXT_SCHEMA = {"type": "string"}
_HAVE_EXAMPLE = """<have:HAVE xmlns:have="urn:oasis:names:tc:emergency:edxl:have:2.0">
  <have:facility>
    <have:facilityInformation>
      <have:facilityID>NL-ZH-ERASMUSMC</have:facilityID>
      <have:facilityName>Erasmus MC</have:facilityName>
    </have:facilityInformation>
    <have:lastUpdateTime>2026-11-27T06:00:00+01:00</have:lastUpdateTime>
    <have:bedCapacity>
      <have:bedType>AdultICU</have:bedType>
      <have:capacity><have:availableCount>7</have:availableCount>
        <have:baselineCount>42</have:baselineCount></have:capacity>
    </have:bedCapacity>
  </have:facility>
</have:HAVE>"""
_HAVE_SCHEMA = {
    "type": "string",
    "description": (
        "An OASIS EDXL-HAVE 2.0 (or 1.0) hospital status document: facilities with bed "
        "capacity by bed type (availableCount, baselineCount), emergency department status "
        "and operations. Each hub bed type (icu_bed, hospital_bed, ...) becomes one "
        "capacity.reported event of the key's organisation, summed over the facilities."
    ),
    "example": _HAVE_EXAMPLE,
}


async def _publish(request: Request, org: str, events: list[EventEnvelope]) -> Accepted:
    topic = await context_of(request).publisher.publish(org, events)
    return Accepted(topic=topic, ids=[event.id for event in events])


@router.post(
    "/events",
    status_code=202,
    responses=_ERRORS,
    openapi_extra=_body_spec(JSON_TYPES, _EVENT_SCHEMA),
)
async def post_events(request: Request, org: Organisation) -> Accepted:
    """Publish one CloudEvents JSON event or a batch (all or nothing); source must be yours."""
    payload = parse_json(await read_body(request, JSON_TYPES))
    return await _publish(request, org, json_events(payload, org))


@router.post(
    "/cap", status_code=202, responses=_ERRORS, openapi_extra=_body_spec(XML_TYPES, _TEXT_SCHEMA)
)
async def post_cap(request: Request, org: Organisation) -> Accepted:
    """Publish the incident event of a CAP 1.2 alert."""
    body = await read_body(request, XML_TYPES)
    return await _publish(request, org, cap_events(body, org))


@router.post(
    "/edxl", status_code=202, responses=_ERRORS, openapi_extra=_body_spec(XML_TYPES, _TEXT_SCHEMA)
)
async def post_edxl(request: Request, org: Organisation) -> Accepted:
    """Publish every event of an EDXL-DE distribution (CAP, EDXL-RM, CloudEvents payloads)."""
    body = await read_body(request, XML_TYPES)
    return await _publish(request, org, edxl_events(body, org))


@router.post(
    "/have", status_code=202, responses=_ERRORS, openapi_extra=_body_spec(HAVE_TYPES, _HAVE_SCHEMA)
)
async def post_have(request: Request, org: Organisation) -> Accepted:
    """Publish the capacity reports (one per bed type) of an EDXL-HAVE hospital status."""
    body = await read_body(request, HAVE_TYPES)
    return await _publish(request, org, have_events(body, org))


@router.post(
    "/capacity.csv",
    status_code=202,
    responses=_ERRORS,
    openapi_extra=_body_spec(CSV_TYPES, _TEXT_SCHEMA),
)
async def post_capacity_csv(request: Request, org: Organisation) -> Accepted:
    """Publish a capacity list; bad rows are reported by line and the good rows still sent."""
    imported = csv_import(await read_body(request, CSV_TYPES), org)
    accepted = await _publish(request, org, list(imported.events)) if imported.events else None
    if imported.errors or accepted is None:
        raise csv_row_problem(imported, accepted.ids if accepted else [])
    return accepted


@router.get(
    "/outbox",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The outbox, as SSE."},
        **problem_responses(400, 401, 404),
    },
    response_class=StreamingResponse,
)
async def get_outbox(
    request: Request,
    org: Organisation,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Stream the organisation's outbox; ``Last-Event-ID`` resumes after that item."""
    context = context_of(request)
    resume = parse_event_id(last_event_id or "")
    source = OutboxSource(
        context.bootstrap,
        context.publisher.names.outbox(org),
        context.codec,
        context.client_config,
        context.keepalive_s,
    )
    partitions = await source.partitions()
    if not partitions:
        raise BridgeProblem(404, "no-outbox", f"No outbox topic {source.topic} exists.")
    return StreamingResponse(
        stream_outbox(source, partitions, resume),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
