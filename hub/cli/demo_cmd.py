"""``kcr demo``: the whole hub on a local broker, with all partners playing a national storyline.

Starts (or reuses) the local broker, applies the topics, runs every hub service of ``kcr run``
(each in a process of its own under the supervisor, as ``kcr run`` does) and then, in this
process, the simulator (:mod:`hub.simulator`) and a live national summary, until Ctrl-C,
SIGTERM or ``--duration``; the services' logs go to ``$KCR_DATA_DIR/demo.log`` (and one file per
service in ``$KCR_DATA_DIR/logs``). The demo's silence
limit is two story minutes (so the 112 outage shows within the first five minutes), scaled by
``--speed``; it is written to ``$KCR_DATA_DIR`` and used as ``KCR_ESCALATION_FILE`` by the
demo's processors.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TextIO

import typer
from rich.live import Live

from hub.cli.common import console, local_broker, settings
from hub.cli.run_cmd import READY_LINE, hub_status, install_stop_handlers, supervisor_settings
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.domain._common import packaged_text
from hub.kafka.clients import client_options
from hub.logs import configure_logging
from hub.processes import hub_children
from hub.runner import Service, run_services
from hub.services import SERVICE_NAMES, ensure_topics, hub_thresholds
from hub.settings import Settings
from hub.simulator import Beat, PlayerSettings, StoryPlayer
from hub.simulator.summary import NationalPicture, SummaryFollower, render_summary, summary_lines
from hub.supervisor import HubStatus, Supervisor, SupervisorSettings

__all__ = ["demo", "demo_thresholds"]

_DEMO_SILENCE_MINUTES = 2.0


def demo_thresholds(data_dir: Path, speed: float) -> Path:
    """Write the demo's thresholds (silence limit scaled by ``speed``); return the file."""
    text = packaged_text("escalation.toml")
    minutes = _DEMO_SILENCE_MINUTES / speed
    text = text.replace("max_silence_minutes = 5", f"max_silence_minutes = {minutes:.4f}")
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "demo-escalation.toml"
    path.write_text(text, encoding="utf-8")
    return path


class _Screen:
    """Where the demo shows itself: a live panel on a terminal, plain lines elsewhere."""

    def __init__(self) -> None:
        self.story = "The story begins."
        self.live: Live | None = Live(console=console) if sys.stdout.isatty() else None

    def beat(self, at: float, beat: Beat) -> None:
        self.story = f"[story {at:>4.0f} s] {beat.headline}"
        if self.live is None:
            print(self.story, flush=True)

    def picture(self, picture: NationalPicture) -> None:
        if self.live is not None:
            self.live.update(render_summary(picture, self.story))
        else:
            print("\n".join(["-- national summary --", *summary_lines(picture)]), flush=True)


def _demo_services(cfg: Settings, speed: float, screen: _Screen) -> list[Service]:
    """The simulator and the summary, run in this process once the hub's services serve."""

    def codec() -> EventCodec:
        return EventCodec(HttpSchemaRegistry(cfg.registry_url))

    expected = hub_thresholds(cfg).silent_organisation.expected()
    player_settings = PlayerSettings(
        speed=speed, expected=expected, client_config=client_options(cfg)
    )
    player = StoryPlayer(cfg.bootstrap, cfg.topics, codec(), player_settings, screen.beat)
    every = 5.0 if screen.live is None else 1.0
    follower = SummaryFollower(
        cfg.bootstrap, cfg.topics, codec(), screen.picture, every, client_options(cfg)
    )
    return [Service("summary", follower.run), Service("simulator", player.run)]


def _hub_supervisor(cfg: Settings, logs: TextIO, hub_ready: asyncio.Event) -> Supervisor:
    """The hub's services as child processes; their output goes to the demo's log."""

    def ready() -> None:
        if hub_ready.is_set():  # back after a restart
            console.print(READY_LINE)
        hub_ready.set()

    env = dict(os.environ)
    if cfg.escalation_file is not None:
        env["KCR_ESCALATION_FILE"] = str(cfg.escalation_file)
    wanted = SupervisorSettings(log_dir=supervisor_settings(cfg).log_dir, env=env)
    status = HubStatus(ready=ready, down=hub_status().down)
    return Supervisor(hub_children(SERVICE_NAMES), wanted, logs, status)


async def _run(cfg: Settings, duration: float, speed: float, logs: TextIO) -> None:
    stop = asyncio.Event()
    install_stop_handlers(stop)
    if duration > 0:
        asyncio.get_running_loop().call_later(duration, stop.set)
    await ensure_topics(cfg)
    screen = _Screen()

    def ready() -> None:
        install_stop_handlers(stop)
        console.print(f"Schema registry: {cfg.registry_url}")
        console.print(f"REST bridge: http://{cfg.bridge_host}:{cfg.bridge_port}")
        console.print(f"Dashboard: http://{cfg.bridge_host}:{cfg.dashboard_port}")
        console.print("KCR demo running: 25 regions and the national partners. Ctrl-C stops it.")
        if screen.live is not None:
            screen.live.start()

    hub_ready, hub_stop = asyncio.Event(), asyncio.Event()
    hub = asyncio.create_task(_hub_supervisor(cfg, logs, hub_ready).run(hub_stop))
    try:
        if await _first_of(hub_ready, stop, hub):
            await run_services(_demo_services(cfg, speed, screen), stop, on_ready=ready)
    finally:
        if screen.live is not None:
            screen.live.stop()
        hub_stop.set()
        await hub


async def _first_of(hub_ready: asyncio.Event, stop: asyncio.Event, hub: asyncio.Task[None]) -> bool:
    """Wait until the hub serves (True), or a stop is asked or the hub ended (False)."""
    waiters = {asyncio.create_task(hub_ready.wait()), asyncio.create_task(stop.wait())}
    await asyncio.wait({*waiters, hub}, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    return hub_ready.is_set() and not stop.is_set() and not hub.done()


def demo(
    duration: float = typer.Option(0.0, help="Stop after this many seconds (0: until Ctrl-C)."),
    speed: float = typer.Option(
        1.0, min=0.1, max=100.0, help="Play the storyline this many times faster."
    ),
) -> None:
    """Run the hub on a local broker with all partners playing a national crisis storyline."""
    broker = local_broker()
    status = broker.start()
    started_here = not status.already_running
    console.print(f"Kafka broker on {status.bootstrap} ({'started' if started_here else 'reused'})")
    base = settings()
    cfg = base.model_copy(update={"escalation_file": demo_thresholds(base.data_dir, speed)})
    log_file = base.data_dir / "demo.log"
    console.print(f"Hub logs: {log_file}")
    try:
        with log_file.open("a", encoding="utf-8") as logs:
            configure_logging(stream=logs, force=True)
            asyncio.run(_run(cfg, duration, speed, logs))
    finally:
        if started_here:
            broker.stop()
            console.print("Broker stopped.")
    console.print("KCR demo stopped.")
