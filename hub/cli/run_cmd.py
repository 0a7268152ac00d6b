"""``kcr run``: the hub's services, one OS process each under a supervisor, or one alone.

Without ``--only`` this process is the supervisor: it applies the topics, starts every service
(less those ``--without``) as ``kcr run --only NAME`` in a child process, prints
:data:`READY_LINE` each time all of them serve, restarts a crashed one with backoff, and stops
them in reverse order on SIGINT or SIGTERM. With ``--only NAME`` it runs that one service in
this process and prints its ready marker (:func:`hub.supervisor.ready_marker`).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated

import typer

from hub.cli.common import console, settings
from hub.processes import hub_children
from hub.runner import run_services
from hub.services import SERVICE_NAMES, ensure_topics, hub_services
from hub.settings import Settings
from hub.supervisor import HubStatus, Supervisor, SupervisorSettings, ready_marker

__all__ = ["READY_LINE", "hub_status", "install_stop_handlers", "run", "supervisor_settings"]

READY_LINE = "KCR hub ready."
NOT_READY = "KCR hub not ready:"


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


def supervisor_settings(cfg: Settings) -> SupervisorSettings:
    """The hub's supervisor: a log file per service in ``$KCR_DATA_DIR/logs``."""
    return SupervisorSettings(log_dir=cfg.data_dir / "logs")


def hub_status() -> HubStatus:
    """Print :data:`READY_LINE` when all services serve, and why not when one went down."""
    return HubStatus(
        ready=lambda: console.print(READY_LINE),
        down=lambda reason: console.print(f"{NOT_READY} {reason}", highlight=False),
    )


async def _supervise(names: list[str], duration: float) -> None:
    cfg = settings()
    stop = asyncio.Event()
    install_stop_handlers(stop)
    if duration > 0:
        asyncio.get_running_loop().call_later(duration, stop.set)
    await ensure_topics(cfg)
    console.print(f"KCR hub on {cfg.bootstrap}: starting {', '.join(names)}")
    console.print(f"Schema registry: {cfg.registry_url}")
    if "bridge" in names:
        console.print(f"REST bridge: http://{cfg.bridge_host}:{cfg.bridge_port}")
    if "dashboard" in names:
        console.print(f"Dashboard: http://{cfg.bridge_host}:{cfg.dashboard_port}")
    console.print(f"Service logs: {cfg.data_dir / 'logs'}", highlight=False)
    supervisor = Supervisor(hub_children(names), supervisor_settings(cfg), sys.stdout, hub_status())
    await supervisor.run(stop)
    console.print("KCR hub stopped.")


async def _run_alone(name: str, duration: float, apply_topics: bool) -> None:
    cfg = settings()
    stop = asyncio.Event()
    install_stop_handlers(stop)
    if duration > 0:
        asyncio.get_running_loop().call_later(duration, stop.set)
    if apply_topics:
        await ensure_topics(cfg)

    def ready() -> None:
        install_stop_handlers(stop)
        print(ready_marker(name), flush=True)

    await run_services(hub_services(cfg, [name]), stop, on_ready=ready)
    print(f"KCR service {name} stopped.", flush=True)


_SERVICES = ", ".join(SERVICE_NAMES)


def _check(names: list[str]) -> None:
    unknown = sorted(set(names) - set(SERVICE_NAMES))
    if unknown:
        raise typer.BadParameter(f"unknown service(s) {unknown}; choose from {_SERVICES}")


def run(
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help=f"Run this one service in this process, unsupervised ({_SERVICES}); "
            "prints 'KCR service ready: NAME' once it serves.",
        ),
    ] = None,
    without: Annotated[
        list[str] | None,
        typer.Option("--without", help=f"Leave a service out (one of: {_SERVICES})."),
    ] = None,
    duration: float = typer.Option(0.0, help="Stop after this many seconds (0: until a signal)."),
    topics_applied: Annotated[
        bool,
        typer.Option("--topics-applied", hidden=True, help="The topics exist: skip applying."),
    ] = False,
) -> None:
    """Run the hub's services (registry, gateway, clock, processors, bridge, dashboard).

    Each service runs in a process of its own; 'KCR hub ready.' is printed whenever all serve.
    A crashed service is reported and restarted with backoff. Logs: $KCR_DATA_DIR/logs/.
    Ctrl-C or SIGTERM stops them in reverse order.
    """
    without = without or []
    _check([*without, *([only] if only else [])])
    if only is not None:
        if without:
            raise typer.BadParameter("use either --only or --without, not both")
        asyncio.run(_run_alone(only, duration, apply_topics=not topics_applied))
        return
    names = [name for name in SERVICE_NAMES if name not in without]
    if not names:
        raise typer.BadParameter("every service is left out: nothing to run")
    asyncio.run(_supervise(names, duration))
