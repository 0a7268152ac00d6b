"""Test harness shared by integration and end-to-end tests: free ports, running services."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from hub.registry import RegistryConfig, serve_registry

__all__ = ["free_port", "free_port_pair", "running_registry", "running_service", "wait_until"]


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def free_port_pair() -> int:
    """Return a port p such that p and p + 1 are free (a local broker and its controller)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two adjacent free ports found")


@asynccontextmanager
async def running_service(
    main: Callable[[asyncio.Event, asyncio.Event], Awaitable[None]], timeout: float = 90
) -> AsyncIterator[asyncio.Event]:
    """Run ``main(stop, ready)`` as a task until the block ends; yield its ``stop`` event."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.ensure_future(main(stop, ready))
    readiness = asyncio.ensure_future(ready.wait())
    await asyncio.wait({task, readiness}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    readiness.cancel()
    if task.done():
        task.result()
    assert ready.is_set(), "the service did not become ready"
    try:
        yield stop
    finally:
        stop.set()
        await task


@asynccontextmanager
async def running_registry(bootstrap: str, topic: str) -> AsyncIterator[str]:
    """Run the schema registry on ``topic`` and a free port; yield its URL."""
    port = free_port()
    config = RegistryConfig(bootstrap=bootstrap, port=port, topic=topic)

    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_registry(config, stop, ready)

    async with running_service(main):
        yield f"http://127.0.0.1:{port}"


async def wait_until(
    check: Callable[[], Awaitable[bool]], timeout: float = 30, what: str = "condition"
) -> None:
    """Poll ``check`` every 0.2 s until it is true; fail with ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.2)
