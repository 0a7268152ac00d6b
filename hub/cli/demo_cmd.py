"""``kcr demo``: the hub on a local broker with a simulated national scenario."""

from __future__ import annotations

import signal
import threading

import typer

from hub.cli.common import console, local_broker, settings
from hub.topics import declared_topics
from hub.topics.admin import apply_topics

__all__ = ["demo"]


def demo(
    duration: float = typer.Option(0.0, help="Stop after this many seconds (0: until Ctrl-C)."),
) -> None:
    """Start the local broker, apply the topics and run until Ctrl-C or --duration."""
    broker = local_broker()
    status = broker.start()
    started_here = not status.already_running
    console.print(f"Kafka broker on {status.bootstrap} ({'started' if started_here else 'reused'})")
    cfg = settings()
    report = apply_topics(cfg.bootstrap, declared_topics(cfg.topics))
    console.print(f"Topics: {len(report.created)} created, {len(report.unchanged)} in place.")
    console.print("Running: broker and topics. Press Ctrl-C to stop.")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait(duration if duration > 0 else None)
    if started_here:
        broker.stop()
        console.print("Broker stopped.")
