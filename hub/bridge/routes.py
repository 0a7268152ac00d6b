"""The bridge's routes: five ways in (JSON, CAP, EDXL, HAVE, CSV) and the outbox as SSE.

A capacity CSV is the one partial case: rows are independent reports, so the good rows are
published and the bad ones are answered by line (422 with ``published`` listing the ids sent).
Everything else is all or nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from connectors.csvimport import REQUIRED
from connectors.have.reader import HAVE_2_0_NS
from hub.bridge.context import Organisation, context_of, read_body
from hub.bridge.event_schema import batch_schema
from hub.bridge.examples import (
    CAP_NAMESPACE,
    CAP_XSD,
    CSV_COLUMNS,
    EDXL_NAMESPACE,
    EDXL_XSD,
    EXAMPLE_CAP,
    EXAMPLE_CSV,
    EXAMPLE_EDXL,
    EXAMPLE_EVENT,
)
from hub.bridge.openapi import (
    LAST_EVENT_ID,
    PUBLISH_STATUSES,
    csv_body,
    json_body,
    ref,
    statuses,
    xml_body,
)
from hub.bridge.problems import BridgeProblem
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
_ERRORS = statuses(*PUBLISH_STATUSES)


class Accepted(BaseModel):
    """What was published: the ingress topic and the ids of the events, in order."""

    topic: str = Field(description="The organisation's ingress topic.")
    ids: list[str] = Field(description="The ids of the published events.")


_EVENTS_BODY = json_body(
    JSON_TYPES,
    {
        "application/cloudevents+json": ref("CloudEvent"),
        "application/cloudevents-batch+json": batch_schema(),
        "application/json": {"oneOf": [ref("CloudEvent"), batch_schema()]},
    },
    {"incident": EXAMPLE_EVENT},
    "One CloudEvents event or a batch. Leave `id`, `time` and `source` out to have the bridge "
    "fill in a new UUID, the time now and the key's organisation (so the example works with "
    "any key); a `source` that is not the key's organisation is a 403.",
)
_CAP_BODY = xml_body(XML_TYPES, "alert", CAP_NAMESPACE, CAP_XSD, EXAMPLE_CAP)
_EDXL_BODY = xml_body(XML_TYPES, "EDXLDistribution", EDXL_NAMESPACE, EDXL_XSD, EXAMPLE_EDXL)
_CSV_BODY = csv_body(CSV_TYPES, CSV_COLUMNS, REQUIRED, EXAMPLE_CSV)
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
_HAVE_BODY = xml_body(HAVE_TYPES, "HAVE", HAVE_2_0_NS, None, _HAVE_EXAMPLE)


async def _publish(request: Request, org: str, events: list[EventEnvelope]) -> Accepted:
    topic = await context_of(request).publisher.publish(org, events)
    return Accepted(topic=topic, ids=[event.id for event in events])


@router.post(
    "/events",
    status_code=202,
    responses=_ERRORS,
    openapi_extra=_EVENTS_BODY,
)
async def post_events(request: Request, org: Organisation) -> Accepted:
    """Publish one CloudEvents JSON event or a batch (all or nothing); source must be yours."""
    payload = parse_json(await read_body(request, JSON_TYPES))
    return await _publish(request, org, json_events(payload, org))


@router.post("/cap", status_code=202, responses=_ERRORS, openapi_extra=_CAP_BODY)
async def post_cap(request: Request, org: Organisation) -> Accepted:
    """Publish the incident event of a CAP 1.2 alert."""
    body = await read_body(request, XML_TYPES)
    return await _publish(request, org, cap_events(body, org))


@router.post("/edxl", status_code=202, responses=_ERRORS, openapi_extra=_EDXL_BODY)
async def post_edxl(request: Request, org: Organisation) -> Accepted:
    """Publish every event of an EDXL-DE distribution (CAP, EDXL-RM, CloudEvents payloads)."""
    body = await read_body(request, XML_TYPES)
    return await _publish(request, org, edxl_events(body, org))


@router.post("/have", status_code=202, responses=_ERRORS, openapi_extra=_HAVE_BODY)
async def post_have(request: Request, org: Organisation) -> Accepted:
    """Publish the capacity reports (one per bed type) of an EDXL-HAVE hospital status."""
    body = await read_body(request, HAVE_TYPES)
    return await _publish(request, org, have_events(body, org))


@router.post(
    "/capacity.csv",
    status_code=202,
    responses=_ERRORS,
    openapi_extra=_CSV_BODY,
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
        **statuses(400, 401, 404, 429),
    },
    response_class=StreamingResponse,
    openapi_extra={"parameters": [LAST_EVENT_ID]},
)
async def get_outbox(
    request: Request,
    org: Organisation,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", include_in_schema=False)
    ] = None,
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
