"""Running the dashboard: bind the port, serve with uvicorn until asked to stop.

:func:`serve_dashboard` is the ``Service(stop, ready)`` coroutine of the ``dashboard``
service of ``kcr run``. As for the bridge (:mod:`hub.serving`), uvicorn runs without signal
handlers and the socket is bound before ``ready`` is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.dashboard.app import create_app
from hub.dashboard.config import DashboardConfig
from hub.dashboard.context import DashboardContext
from hub.dashboard.errors import DashboardPortInUse
from hub.dashboard.session import SessionSigner, load_secret
from hub.logs import get_logger
from hub.serving import EmbeddedServer, embedded_config, listen

__all__ = ["serve_dashboard"]

_log = get_logger("hub.dashboard")


def _context(config: DashboardConfig) -> DashboardContext:
    codec = EventCodec(HttpSchemaRegistry(config.registry_url))
    return DashboardContext(
        keys=ApiKeyStore(config.keys_file),
        signer=SessionSigner(load_secret(config.secret_file)),
        publisher=IngressPublisher(config.bootstrap, config.names, codec, config.client_config),
        codec=codec,
        bootstrap=config.bootstrap,
        keepalive_s=config.keepalive_s,
        secure_cookie=config.secure_cookie,
        client_config=config.client_config,
    )


async def serve_dashboard(
    config: DashboardConfig,
    stop: asyncio.Event,
    ready: asyncio.Event | None = None,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve the dashboard of ``config`` until ``stop``; ``on_listening`` gets its URL."""
    context = _context(config)
    sock = listen(
        config.host,
        config.port,
        lambda reason: DashboardPortInUse(config.host, config.port, reason),
    )
    url = config.url(sock.getsockname()[1])
    await context.publisher.start()
    try:
        server = EmbeddedServer(embedded_config(create_app(context)))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        _log.info("dashboard.serving", url=url)
        if on_listening is not None:
            on_listening(url)
        if ready is not None:
            ready.set()
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        stopping.cancel()
        await serving
    finally:
        sock.close()
        await context.publisher.stop()
    _log.info("dashboard.stopped", url=url)
