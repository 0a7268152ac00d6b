"""``kcr broker start|stop|status``: the local single-node KRaft broker."""

from __future__ import annotations

import typer

from hub.broker import BrokerStatus
from hub.broker.jars import check_java, ensure_jars
from hub.cli.common import console, local_broker, settings

__all__ = ["broker_app"]

broker_app = typer.Typer(help="Run a local Apache Kafka 4 broker (KRaft) from the Maven jars.")


def _describe(status: BrokerStatus) -> str:
    if not status.running:
        return f"not running (would listen on {status.bootstrap}; files in {status.home})"
    health = "answering" if status.answering else "NOT answering"
    return f"running, pid {status.pid}, listening on {status.bootstrap}, {health}"


@broker_app.command("start")
def start(
    timeout: float = typer.Option(120.0, help="Seconds to wait until clients can use it."),
) -> None:
    """Start the broker in the background (fetching the jars once) and wait until it answers."""
    broker = local_broker()
    status = broker.start(timeout=timeout)
    if status.already_running:
        console.print(f"Broker already running: {_describe(status)}")
        return
    console.print(f"Broker started: {_describe(status)}")
    console.print(f"Logs: {broker.log_file}")


@broker_app.command("status")
def status() -> None:
    """Say whether the broker runs and answers; exit 1 when it does not run."""
    state = local_broker().status()
    console.print(f"Broker {_describe(state)}")
    if not state.running:
        raise typer.Exit(1)


@broker_app.command("stop")
def stop(
    timeout: float = typer.Option(30.0, help="Seconds of graceful shutdown before SIGKILL."),
) -> None:
    """Stop the broker gracefully, forcing it after the timeout."""
    if local_broker().stop(timeout=timeout):
        console.print("Broker stopped.")
    else:
        console.print("Broker was not running.")


@broker_app.command("install")
def install() -> None:
    """Check Java 17+ and copy the Kafka jars from Maven Central (once; later runs reuse them)."""
    major = check_java()
    folder = ensure_jars(settings().resolved_jars_dir)
    console.print(f"Java {major} found; Kafka jars in {folder}")
