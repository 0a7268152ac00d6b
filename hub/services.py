"""The hub's long-running services, wired from the settings, for ``kcr run`` and the demo."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.organisations import load_registry
from hub.gateway.policy import GatewayPolicy
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.clients import client_options
from hub.registry.server import RegistryConfig, serve_registry
from hub.runner import Service
from hub.settings import Settings
from hub.topics import declared_topics
from hub.topics.admin import apply_topics

__all__ = ["SERVICE_NAMES", "ensure_topics", "hub_services"]

SERVICE_NAMES = ("registry", "gateway")


async def ensure_topics(settings: Settings) -> None:
    """Create the declared topics that are missing (the admin client blocks, so in a thread)."""
    await asyncio.to_thread(apply_topics, settings.bootstrap, declared_topics(settings.topics))


def _registry_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_registry(RegistryConfig.from_settings(settings), stop, ready)

    return Service("registry", main)


def _gateway_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        codec = EventCodec(HttpSchemaRegistry(settings.registry_url))
        await codec.register_all()
        wiring = GatewayWiring(settings.bootstrap, settings.topics, client_options(settings))
        await Gateway(wiring, codec, load_registry(), GatewayPolicy()).run(stop, ready)

    return Service("gateway", main)


def hub_services(settings: Settings, names: Sequence[str] = SERVICE_NAMES) -> list[Service]:
    """Return the named services in start order (the registry first: the others need it)."""
    factories = {"registry": _registry_service, "gateway": _gateway_service}
    return [factories[name](settings) for name in SERVICE_NAMES if name in names]
