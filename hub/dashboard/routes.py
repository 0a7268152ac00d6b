"""The dashboard's JSON and SSE routes under ``/api``.

``POST /api/session`` trades an organisation's bridge API key for a session cookie
(HttpOnly, SameSite=Strict); ``GET /api/stream`` is that organisation's outbox as server-sent
events (the bridge's own stream, resumable with ``Last-Event-ID``); ``POST
/api/advice/{id}/validate`` and ``/reject`` publish the validator's event to the
organisation's ingress topic. State-changing requests from another origin are refused.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from hub.bridge.problems import BridgeProblem
from hub.bridge.sse import OutboxSource, parse_event_id, stream_outbox
from hub.contracts.events.advice import AdviceRejected, AdviceValidated
from hub.dashboard.access import AdviceAction, Viewer, require_action, viewer_of
from hub.dashboard.context import context_of, viewer_from
from hub.dashboard.errors import DashboardError, NotSignedIn, Unavailable
from hub.dashboard.session import SESSION_COOKIE
from hub.dashboard.tiles import tile_layout
from hub.kafka.aio import KafkaError

__all__ = ["AdviceDecision", "SignIn", "router"]

router = APIRouter(prefix="/api")
SignedIn = Annotated[Viewer, Depends(viewer_from)]


class SignIn(BaseModel):
    """The API key an organisation signs in with."""

    key: str = Field(min_length=1, max_length=200)


class AdviceDecision(BaseModel):
    """A validator's note (validate) or reason (reject)."""

    text: str = Field(default="", max_length=2000)


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise DashboardError("Cross-origin requests are refused.")


@router.post("/session", dependencies=[Depends(_same_origin)])
async def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, object]:
    """Check the API key and set the session cookie of its organisation."""
    context = context_of(request)
    org = await asyncio.to_thread(context.keys.organisation_of, body.key)
    if org is None:
        raise NotSignedIn("Unknown API key.", fix="use a key from `kcr bridge keys add ORG`.")
    viewer = viewer_of(org, context.registry, context.publisher.names)
    response.set_cookie(
        SESSION_COOKIE, context.signer.sign(org, time.time()),
        max_age=context.signer.lifetime_s, httponly=True, samesite="strict",
        secure=context.secure_cookie, path="/",
    )  # fmt: skip
    return viewer.as_json()


@router.delete("/session", dependencies=[Depends(_same_origin)])
async def sign_out(response: Response) -> dict[str, object]:
    """Clear the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return {"signed_out": True}


@router.get("/me")
async def me(viewer: SignedIn) -> dict[str, object]:
    """The signed-in organisation and what it may do."""
    return viewer.as_json()


@router.get("/tiles")
async def tiles(request: Request) -> list[dict[str, object]]:
    """The tile-grid map of the safety regions."""
    return [tile.as_json() for tile in tile_layout(context_of(request).registry)]


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    request: Request,
    viewer: SignedIn,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """The signed-in organisation's outbox, as server-sent events."""
    context = context_of(request)
    try:
        resume = parse_event_id(last_event_id or "")
    except BridgeProblem as problem:
        raise DashboardError(problem.detail) from problem
    source = OutboxSource(
        context.bootstrap, viewer.topic, context.codec, context.client_config, context.keepalive_s
    )
    try:
        partitions = await source.partitions()
    except KafkaError as error:
        raise Unavailable(f"Kafka is not reachable: {error!r}.") from error
    if not partitions:
        raise DashboardError(f"No outbox topic {viewer.topic} exists.", fix="run kcr topics apply.")
    return StreamingResponse(
        stream_outbox(source, partitions, resume),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/advice/{advice_id}/{action}", dependencies=[Depends(_same_origin)])
async def decide_advice(
    advice_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")],
    action: AdviceAction,
    body: AdviceDecision,
    request: Request,
    viewer: SignedIn,
) -> dict[str, object]:
    """Publish the viewer's validation or rejection of ``advice_id`` to its ingress topic."""
    require_action(viewer, action)
    event = _decision_event(viewer.org, advice_id, action, body.text)
    try:
        topic = await context_of(request).publisher.publish(viewer.org, [event])
    except BridgeProblem as problem:
        raise Unavailable(problem.detail) from problem
    return {"topic": topic, "id": event.id, "type": event.type}


def _decision_event(
    org: str, advice_id: str, action: AdviceAction, text: str
) -> AdviceValidated | AdviceRejected:
    data: dict[str, Any] = {"advice_id": advice_id}
    if action == "validate":
        model: type[AdviceValidated | AdviceRejected] = AdviceValidated
        data["note"] = text
    else:
        model = AdviceRejected
        data["reason"] = text or "Rejected on the dashboard."
    envelope = {
        "id": f"dash-{uuid.uuid4().hex}", "source": org, "subject": advice_id,
        "time": datetime.now(UTC), "tlp": "AMBER", "data": data,
    }  # fmt: skip
    return model.model_validate(envelope)
