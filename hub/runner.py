"""Run several long-lived services in one process: start in order, stop together, cleanly.

Each service is a coroutine ``main(stop, ready)``: it sets ``ready`` once it serves, returns
after ``stop`` is set (having finished the work in hand), and raises if it cannot go on. When
one service fails, the others are stopped too, and the failure is raised to the caller.
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


async def _start(service: Service, stop: asyncio.Event) -> asyncio.Task[None]:
    ready = asyncio.Event()
    task = asyncio.create_task(service.main(stop, ready), name=service.name)
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait(
        {task, waiter}, timeout=service.ready_timeout, return_when=asyncio.FIRST_COMPLETED
    )
    waiter.cancel()
    if task in done:
        task.result()  # raises the service's own error, if any
        raise ServiceFailed(service.name, "ended before it was ready")
    if waiter not in done:
        task.cancel()
        raise ServiceFailed(service.name, f"not ready within {service.ready_timeout:.0f} s")
    _log.info("service.ready", service=service.name)
    return task


async def run_services(
    services: Sequence[Service], stop: asyncio.Event, drain_timeout: float = 30.0
) -> None:
    """Start ``services`` one after another, run until ``stop`` or a failure, then stop all."""
    tasks: list[asyncio.Task[None]] = []
    try:
        for service in services:
            tasks.append(await _start(service, stop))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({stopper, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in done - {stopper}:
            task.result()  # raises the service's own error, if any
            if not stop.is_set():
                raise ServiceFailed(task.get_name(), "ended without being asked to stop")
    finally:
        stop.set()
        await _drain(tasks, drain_timeout)


async def _drain(tasks: list[asyncio.Task[None]], grace: float) -> None:
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        _log.warning("service.forced_stop", service=task.get_name())
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
