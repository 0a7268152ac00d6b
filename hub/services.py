"""The hub's long-running services, wired from the settings, for ``kcr run`` and the demo."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hub.bridge.config import BridgeConfig
from hub.bridge.server import serve_bridge
from hub.codec.serde import EventCodec
from hub.contracts.organisations import load_registry
from hub.dashboard.config import DashboardConfig
from hub.dashboard.server import serve_dashboard
from hub.domain.thresholds import Thresholds, load_thresholds, parse_thresholds
from hub.gateway.policy import GatewayPolicy
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.clients import client_options, confluent_options
from hub.registry.access import hub_schema_registry
from hub.registry.server import RegistryConfig, serve_registry
from hub.runner import Service
from hub.settings import Settings
from hub.streams.clock import ClockService, ClockSettings
from hub.streams.worker import ProjectionWorker, WorkerSettings
from hub.topics import declared_topics
from hub.topics.admin import apply_topics, default_replication

__all__ = [
    "SERVICE_NAMES",
    "ensure_topics",
    "gateway_wiring",
    "hub_services",
    "hub_thresholds",
]

SERVICE_NAMES = ("registry", "gateway", "clock", "processors", "bridge", "dashboard")


def hub_thresholds(settings: Settings) -> Thresholds:
    """The escalation thresholds: ``KCR_ESCALATION_FILE`` if set, else the packaged ones."""
    path = settings.escalation_file
    if path is None:
        return load_thresholds()
    return parse_thresholds(path.read_text(encoding="utf-8"), source=str(path))


async def ensure_topics(settings: Settings) -> None:
    """Create the declared topics that are missing (the admin client blocks, so in a thread).

    On a secure broker this logs in as the operator (``admin`` from the credentials file, or
    the configured SASL user), who may create topics; the services use their own users.
    """
    await asyncio.to_thread(
        apply_topics, settings.bootstrap, declared_topics(settings.topics),
        confluent_options(settings),
    )  # fmt: skip


def _registry_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_registry(RegistryConfig.from_settings(settings), stop, ready)

    return Service("registry", main)


def _gateway_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        codec = _codec(settings, "gateway")
        await codec.register_all()
        wiring = gateway_wiring(settings)
        await Gateway(wiring, codec, load_registry(), GatewayPolicy()).run(stop, ready)

    return Service("gateway", main)


def gateway_wiring(settings: Settings) -> GatewayWiring:
    """Where this gateway connects, as whom, and its instance name (its transactional id)."""
    return GatewayWiring(
        settings.bootstrap,
        settings.topics,
        client_options(settings, service="gateway"),
        instance=settings.gateway_instance,
    )


def _codec(settings: Settings, service: str) -> EventCodec:
    """A codec that registers schemas as the hub service ``service`` (only the hub writes)."""
    return EventCodec(hub_schema_registry(settings, service))


def _clock_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        clock_settings = ClockSettings(client_config=client_options(settings, service="clock"))
        clock = ClockService(
            settings.bootstrap, settings.topics, _codec(settings, "clock"), clock_settings
        )
        await clock.run(stop, ready)

    return Service("clock", main)


def _processors_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        codec = _codec(settings, "processors")
        await codec.register_all()
        replication = await asyncio.to_thread(
            default_replication, settings.bootstrap, confluent_options(settings, "processors")
        )
        worker_settings = WorkerSettings(
            client_config=client_options(settings, service="processors"),
            librdkafka_config=confluent_options(settings, "processors"),
            thresholds=hub_thresholds(settings),
            replication_factor=replication,
        )
        worker = ProjectionWorker(settings.bootstrap, settings.topics, codec, worker_settings)
        await worker.run(stop, ready)

    return Service("processors", main)


def _bridge_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_bridge(BridgeConfig.from_settings(settings), stop, ready)

    return Service("bridge", main)


def _dashboard_service(settings: Settings) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_dashboard(DashboardConfig.from_settings(settings), stop, ready)

    return Service("dashboard", main)


def hub_services(settings: Settings, names: Sequence[str] = SERVICE_NAMES) -> list[Service]:
    """Return the named services in start order (the registry first: the others need it)."""
    factories = {
        "registry": _registry_service,
        "gateway": _gateway_service,
        "clock": _clock_service,
        "processors": _processors_service,
        "bridge": _bridge_service,
        "dashboard": _dashboard_service,
    }
    return [factories[name](settings) for name in SERVICE_NAMES if name in names]
