"""``kcr run``: every hub service in the foreground, stopped cleanly by SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from hub.cli.common import console, settings
from hub.runner import run_services
from hub.services import SERVICE_NAMES, ensure_topics, hub_services

__all__ = ["READY_LINE", "install_stop_handlers", "run"]


def install_stop_handlers(stop: asyncio.Event) -> None:
    """Set ``stop`` on SIGINT or SIGTERM.

    Plain ``signal.signal`` handlers, not the loop's: Faust (mode) clones the event loop into
    a thread of its own and moves the process's signal wake-up there, after which the loop's
    handlers no longer fire. Installed again once every service runs.
    """
    loop = asyncio.get_running_loop()

    def handle(signum: int, _frame: object) -> None:
        loop.call_soon_threadsafe(stop.set)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)


async def _run(without: list[str], duration: float) -> None:
    cfg = settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    install_stop_handlers(stop)
    if duration > 0:
        loop.call_later(duration, stop.set)
    await ensure_topics(cfg)
    names = [name for name in SERVICE_NAMES if name not in without]
    console.print(f"KCR hub on {cfg.bootstrap}: starting {', '.join(names)}")
    console.print(f"Schema registry: {cfg.registry_url}")
    if "bridge" in names:
        console.print(f"REST bridge: http://{cfg.bridge_host}:{cfg.bridge_port}")
    if "dashboard" in names:
        console.print(f"Dashboard: http://{cfg.bridge_host}:{cfg.dashboard_port}")

    def ready() -> None:
        install_stop_handlers(stop)
        console.print(READY_LINE)

    await run_services(hub_services(cfg, names), stop, on_ready=ready)
    console.print("KCR hub stopped.")


READY_LINE = "KCR hub ready."
_WITHOUT_HELP = f"Leave a service out (one of: {', '.join(SERVICE_NAMES)})."


def run(
    without: Annotated[list[str] | None, typer.Option("--without", help=_WITHOUT_HELP)] = None,
    duration: float = typer.Option(0.0, help="Stop after this many seconds (0: until a signal)."),
) -> None:
    """Run the hub's services (registry, gateway, clock, processors, bridge, dashboard)."""
    without = without or []
    unknown = sorted(set(without) - set(SERVICE_NAMES))
    if unknown:
        raise typer.BadParameter(f"unknown service(s) {unknown}; choose from {SERVICE_NAMES}")
    asyncio.run(_run(without, duration))
