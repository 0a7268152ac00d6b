"""Run several long-lived services in one process: start in order, stop in reverse, cleanly.

Each service is a coroutine ``main(stop, ready)``: it sets ``ready`` once it serves, returns
after ``stop`` is set (having finished the work in hand), and raises if it cannot go on. Services
start one after the other, each once the previous is ready, and stop in reverse order, so a
service never loses one it depends on (the gateway stops before the schema registry). When one
service fails, the others are stopped too and the failure is raised to the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from hub.errors import HubError
from hub.logs import get_logger

__all__ = ["Service", "ServiceFailed", "run_services"]

ServiceMain = Callable[[asyncio.Event, asyncio.Event], Coroutine[Any, Any, None]]
_log = get_logger("hub.runner")


class ServiceFailed(HubError, RuntimeError):
    """A service did not start in time, or ended without being asked to."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(f"service {name}: {message}")


@dataclass(frozen=True)
class Service:
    """A named service coroutine and how long it may take to become ready."""

    name: str
    main: ServiceMain
    ready_timeout: float = 120.0


@dataclass
class _Running:
    service: Service
    task: asyncio.Task[None]
    stop: asyncio.Event


async def _start(service: Service) -> _Running:
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(service.main(stop, ready), name=service.name)
    running = _Running(service, task, stop)
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait(
        {task, waiter}, timeout=service.ready_timeout, return_when=asyncio.FIRST_COMPLETED
    )
    waiter.cancel()
    if task in done:
        task.result()  # raises the service's own error, if any
        raise ServiceFailed(service.name, "ended before it was ready")
    if waiter not in done:
        await _stop(running, grace=1.0)
        raise ServiceFailed(service.name, f"not ready within {service.ready_timeout:.0f} s")
    _log.info("service.ready", service=service.name)
    return running


async def run_services(
    services: Sequence[Service],
    stop: asyncio.Event,
    grace: float = 30.0,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Start ``services`` in order, run until ``stop`` or a failure, then stop them in reverse."""
    started: list[_Running] = []
    try:
        for service in services:
            started.append(await _start(service))
        if on_ready is not None:
            on_ready()
        stopper = asyncio.create_task(stop.wait())
        tasks = {running.task for running in started}
        done, _ = await asyncio.wait({stopper, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in done - {stopper}:
            task.result()  # raises the service's own error, if any
            raise ServiceFailed(task.get_name(), "ended without being asked to stop")
    finally:
        for running in reversed(started):
            await _stop(running, grace)


async def _stop(running: _Running, grace: float) -> None:
    running.stop.set()
    done, _ = await asyncio.wait({running.task}, timeout=grace)
    if not done:
        _log.warning("service.forced_stop", service=running.service.name)
        running.task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await running.task
    _log.info("service.stopped", service=running.service.name)
