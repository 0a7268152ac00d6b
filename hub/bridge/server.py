"""Running the bridge: bind the port, serve with uvicorn, deliver webhooks, until asked to stop.

:func:`serve_bridge` is the ``Service(stop, ready)`` coroutine of ``kcr bridge`` and
``kcr run``. As for the schema registry, uvicorn runs without signal handlers (the embedding
process owns SIGINT and SIGTERM) and the socket is bound before ``ready`` is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hub.bridge.app import create_app
from hub.bridge.config import BridgeConfig
from hub.bridge.context import BridgeContext
from hub.bridge.keys import ApiKeyStore
from hub.bridge.limits import OrgSlots, guarded_protocol
from hub.bridge.publisher import IngressPublisher
from hub.bridge.webhooks import WebhookDelivery, WebhookWiring
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.errors import HubError
from hub.kafka import aio
from hub.logs import get_logger
from hub.serving import EmbeddedServer, embedded_config, listen

__all__ = ["BridgePortInUse", "serve_bridge"]

_log = get_logger("hub.bridge")


class BridgePortInUse(HubError, OSError):
    """The bridge's port is taken."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host, self.port = host, port
        super().__init__(
            f"The bridge cannot listen on {host}:{port}: {reason}.",
            fix="stop what uses the port, or set KCR_BRIDGE_PORT (or --port) to a free one.",
        )


async def _deliver_webhooks(config: BridgeConfig, codec: EventCodec, stop: asyncio.Event) -> None:
    if not config.webhooks:
        return
    wiring = WebhookWiring(
        config.bootstrap, config.names, codec, config.retry, config.client_config
    )
    producer = aio.producer(config.bootstrap, config.client_config)
    await producer.start()
    try:
        deliveries = [WebhookDelivery(wiring, org, t) for org, t in config.webhooks.items()]
        await asyncio.gather(*(delivery.run(stop, producer) for delivery in deliveries))
    finally:
        await producer.stop()


async def serve_bridge(
    config: BridgeConfig,
    stop: asyncio.Event,
    ready: asyncio.Event | None = None,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve the bridge of ``config`` until ``stop``; ``on_listening`` gets its URL once bound."""
    codec = EventCodec(HttpSchemaRegistry(config.registry_url))
    publisher = IngressPublisher(config.bootstrap, config.names, codec, config.client_config)
    context = BridgeContext(
        ApiKeyStore(config.keys_file), publisher, codec, config.bootstrap,
        config.max_body_bytes, config.keepalive_s, config.client_config, config.limits,
        OrgSlots(config.limits.max_requests_per_org),
    )  # fmt: skip
    sock = listen(
        config.host, config.port, lambda why: BridgePortInUse(config.host, config.port, why)
    )
    url = config.url(sock.getsockname()[1])
    await publisher.start()
    try:
        protocol = guarded_protocol(config.limits)
        server = EmbeddedServer(embedded_config(create_app(context), http=protocol))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        webhooks = asyncio.create_task(_deliver_webhooks(config, codec, stop))
        _log.info("bridge.serving", url=url, webhooks=sorted(config.webhooks))
        if on_listening is not None:
            on_listening(url)
        if ready is not None:
            ready.set()
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopping, webhooks}, return_when=asyncio.FIRST_COMPLETED)
        if webhooks.done() and not stop.is_set():
            webhooks.result()  # a delivery failed: raise it
            await stopping
        server.should_exit = True
        stopping.cancel()
        await asyncio.gather(serving, webhooks)
    finally:
        sock.close()
        await publisher.stop()
    _log.info("bridge.stopped", url=url)
