"""HTTP services embedded in the hub's processes: one socket, one uvicorn, no signal handlers.

The schema registry, the REST bridge and the dashboard share this: the socket is bound before
the service says it is ready (a client connecting right after is queued, not refused), and
uvicorn installs no signal handlers, because the process that embeds it owns SIGINT and SIGTERM
and stops the service by setting its ``stop`` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn

__all__ = ["EmbeddedServer", "embedded_config", "listen", "until_signalled"]

GRACE_SECONDS = 2
"""How long in-flight requests may take once a service is asked to stop."""


class EmbeddedServer(uvicorn.Server):
    """uvicorn without signal handlers: the process that embeds it owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the process's signal handlers alone."""
        yield


def listen(host: str, port: int, refused: Callable[[str], Exception]) -> socket.socket:
    """Return a socket listening on ``host:port``; raise ``refused(reason)`` when it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise refused(error.strerror or str(error)) from error
    return sock


def embedded_config(
    app: Any, grace: float = GRACE_SECONDS, http: type[asyncio.Protocol] | str = "h11"
) -> uvicorn.Config:
    """The uvicorn settings of an embedded service: h11, no websockets, no lifespan, no logs.

    ``grace`` is how long in-flight requests may take once the service is asked to stop;
    ``http`` is uvicorn's HTTP protocol (the bridge gives an h11 protocol with its limits).
    """
    return uvicorn.Config(
        app,
        http=http,
        ws="none",
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(grace),
    )


async def until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` with ``stop`` set by SIGINT or SIGTERM (a service run on its own)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        await main(stop)
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
