"""What a bridge request needs: keys, publisher, codec, limits; and the request-level checks.

:func:`organisation` authenticates (``Authorization: Bearer <key>`` or ``X-API-Key``) and
:func:`read_body` enforces the content type (415) and the size limit (413).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from hub.bridge.keys import ApiKeyStore
from hub.bridge.problems import BridgeProblem
from hub.bridge.publisher import IngressPublisher
from hub.codec.serde import EventCodec

__all__ = ["BridgeContext", "Organisation", "organisation", "read_body"]

_bearer = HTTPBearer(auto_error=False, description="An API key issued by `kcr bridge keys add`.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same API key.")


@dataclass
class BridgeContext:
    """The bridge's shared parts, in ``app.state.bridge``."""

    keys: ApiKeyStore
    publisher: IngressPublisher
    codec: EventCodec
    bootstrap: str
    max_body_bytes: int = 1024 * 1024
    keepalive_s: float = 15.0
    client_config: Mapping[str, Any] = field(default_factory=dict)


def context_of(request: Request) -> BridgeContext:
    """The :class:`BridgeContext` of the app serving ``request``."""
    context: BridgeContext = request.app.state.bridge
    return context


def organisation(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> str:
    """The organisation whose API key the request carries; 401 without a valid key."""
    key = bearer.credentials if bearer is not None else api_key
    if not key:
        raise BridgeProblem(401, "missing-api-key", "Send Authorization: Bearer <key>.")
    org = context_of(request).keys.organisation_of(key)
    if org is None:
        raise BridgeProblem(401, "unknown-api-key", "The API key is not valid.")
    return org


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
        raise BridgeProblem(413, "too-large", f"The body exceeds {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BridgeProblem(413, "too-large", f"The body exceeds {limit} bytes.")
    return bytes(body)
