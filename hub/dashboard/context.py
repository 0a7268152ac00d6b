"""What the dashboard's routes share: keys, sessions, the registry, the publisher, Kafka."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.codec.serde import EventCodec
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.dashboard.access import Viewer, viewer_of
from hub.dashboard.errors import NotSignedIn
from hub.dashboard.session import SESSION_COOKIE, SessionSigner

__all__ = ["DashboardContext", "context_of", "viewer_from"]


@dataclass(frozen=True)
class DashboardContext:
    """The dashboard's collaborators, kept in ``app.state.context``."""

    keys: ApiKeyStore
    signer: SessionSigner
    publisher: IngressPublisher
    codec: EventCodec
    bootstrap: str
    keepalive_s: float = 15.0
    secure_cookie: bool = False
    client_config: Mapping[str, Any] = field(default_factory=dict)
    registry: OrganisationRegistry = field(default_factory=load_registry)


def context_of(request: Request) -> DashboardContext:
    """The context of the app serving ``request``."""
    context: DashboardContext = request.app.state.context
    return context


def viewer_from(request: Request) -> Viewer:
    """The signed-in viewer of ``request``'s session cookie; :class:`NotSignedIn` otherwise."""
    context = context_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    org = context.signer.verify(token, time.time()) if token else None
    if org is None:
        raise NotSignedIn("Not signed in.", fix="sign in with your organisation's API key.")
    return viewer_of(org, context.registry, context.publisher.names)
