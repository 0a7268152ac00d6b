"""What a bridge request needs: keys, publisher, codec, limits; and the request-level checks.

:func:`organisation` authenticates (``Authorization: Bearer <key>`` or ``X-API-Key``) and
:func:`read_body` enforces the content type (415) and the size limit (413).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import ClientDisconnect

from hub.bridge.keys import ApiKeyStore
from hub.bridge.limits import BridgeLimits, OrgSlots
from hub.bridge.problems import BridgeProblem
from hub.bridge.publisher import IngressPublisher
from hub.codec.serde import EventCodec
from hub.settings import MAX_IMPORT_BYTES

__all__ = ["CHALLENGE", "BridgeContext", "Organisation", "organisation", "read_body"]

CHALLENGE = 'Bearer realm="kcr-bridge"'
"""The ``WWW-Authenticate`` challenge of the bridge's 401 answers (RFC 9110, RFC 6750)."""

_bearer = HTTPBearer(auto_error=False, description="An API key issued by `kcr bridge keys add`.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same API key.")


@dataclass
class BridgeContext:
    """The bridge's shared parts, in ``app.state.bridge``."""

    keys: ApiKeyStore
    publisher: IngressPublisher
    codec: EventCodec
    bootstrap: str
    max_body_bytes: int = MAX_IMPORT_BYTES
    keepalive_s: float = 15.0
    client_config: Mapping[str, Any] = field(default_factory=dict)
    limits: BridgeLimits = field(default_factory=BridgeLimits)
    slots: OrgSlots = field(default_factory=lambda: OrgSlots(BridgeLimits().max_requests_per_org))


def context_of(request: Request) -> BridgeContext:
    """The :class:`BridgeContext` of the app serving ``request``."""
    context: BridgeContext = request.app.state.bridge
    return context


def _unauthorised(slug: str, detail: str, error: str | None = None) -> BridgeProblem:
    challenge = CHALLENGE if error is None else f'{CHALLENGE}, error="{error}"'
    return BridgeProblem(401, slug, detail, headers={"WWW-Authenticate": challenge})


async def organisation(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> AsyncIterator[str]:
    """The organisation whose API key the request carries, holding one of its request slots.

    401 without a valid key; 429 when the organisation already has its maximum of requests in
    flight. The slot is given back once the response (an outbox stream too) has ended.
    """
    key = bearer.credentials if bearer is not None else api_key
    if not key:
        raise _unauthorised("missing-api-key", "Send Authorization: Bearer <key>.")
    context = context_of(request)
    org = context.keys.organisation_of(key)
    if org is None:
        raise _unauthorised("unknown-api-key", "The API key is not valid.", "invalid_token")
    if not context.slots.take(org):
        limit = context.slots.limit
        detail = f"{org} already has {limit} requests in flight; wait for one to end."
        raise BridgeProblem(429, "too-many-requests", detail, headers={"Retry-After": "1"})
    try:
        yield org
    finally:
        context.slots.give_back(org)


Organisation = Annotated[str, Depends(organisation)]


async def read_body(request: Request, media_types: tuple[str, ...]) -> bytes:
    """The request body if its content type is one of ``media_types`` and it is not too large."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in media_types:
        detail = f"Content-Type {media_type or '(none)'!r} is not one of {', '.join(media_types)}."
        raise BridgeProblem(415, "unsupported-media-type", detail)
    limit = context_of(request).max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    try:
        async with asyncio.timeout(context_of(request).limits.body_timeout_s):
            return await _read_limited(request, limit)
    except TimeoutError:
        seconds = context_of(request).limits.body_timeout_s
        detail = f"The request body did not arrive within {seconds:g} s."
        raise BridgeProblem(408, "body-timeout", detail, headers={"Connection": "close"}) from None
    except ClientDisconnect:
        raise BridgeProblem(499, "client-disconnected", "The client closed the request.") from None


async def _read_limited(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _too_large(limit: int) -> BridgeProblem:
    """The 413 naming the limit: the same one as for files (``KCR_MAX_IMPORT_BYTES``)."""
    detail = (
        f"The body exceeds the import limit of {limit} bytes (KCR_MAX_IMPORT_BYTES, the same "
        "for files and watched folders); split the document."
    )
    return BridgeProblem(413, "too-large", detail)
