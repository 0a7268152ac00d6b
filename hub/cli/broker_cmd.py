"""``kcr broker start|stop|status``: the local single-node KRaft broker."""

from __future__ import annotations

from pathlib import Path

import typer

from hub.broker import BrokerStatus, LocalBroker
from hub.broker.jars import check_java, ensure_jars
from hub.cli.common import console, local_broker, settings

__all__ = ["broker_app"]

broker_app = typer.Typer(help="Run a local Apache Kafka 4 broker (KRaft) from the Maven jars.")


def _describe(status: BrokerStatus) -> str:
    if not status.running:
        return f"not running (would listen on {status.bootstrap}; files in {status.home})"
    health = "answering" if status.answering else "NOT answering"
    return f"running, pid {status.pid}, listening on {status.bootstrap}, {health}"


def credentials_path() -> Path:
    """Where a secure local broker keeps its users' passwords (``KCR_CREDENTIALS_FILE``)."""
    cfg = settings()
    return cfg.credentials_file or cfg.data_dir / "credentials.json"


def _broker(secure: bool = False) -> LocalBroker:
    """The local broker; secure when asked, or when its last configuration was secure."""
    plain = local_broker()
    properties = plain.home / "server.properties"
    was_secure = properties.exists() and "sasl.enabled.mechanisms" in properties.read_text("utf-8")
    if not (secure or was_secure):
        return plain
    host, port = plain.node.host, plain.node.port
    return LocalBroker(plain.home, plain.jars_dir, host, port, credentials_file=credentials_path())


@broker_app.command("start")
def start(
    timeout: float = typer.Option(120.0, help="Seconds to wait until clients can use it."),
    secure: bool = typer.Option(
        False, "--secure",
        help="SASL/SCRAM-SHA-512 on the client port, ACLs enforced, users created at format time.",
    ),
) -> None:  # fmt: skip
    """Start the broker in the background (fetching the jars once) and wait until it answers."""
    broker = _broker(secure) if secure else local_broker()
    status = broker.start(timeout=timeout)
    if status.already_running:
        console.print(f"Broker already running: {_describe(status)}")
        return
    console.print(f"Broker started: {_describe(status)}")
    if broker.secure:
        console.print(f"Secure: SASL/SCRAM-SHA-512 and ACLs; passwords in {credentials_path()}")
        console.print("Apply the ACLs with `kcr acl apply`.")
    console.print(f"Logs: {broker.log_file}")


@broker_app.command("status")
def status() -> None:
    """Say whether the broker runs and answers; exit 1 when it does not run."""
    state = _broker().status()
    console.print(f"Broker {_describe(state)}")
    if not state.running:
        raise typer.Exit(1)


@broker_app.command("stop")
def stop(
    timeout: float = typer.Option(30.0, help="Seconds of graceful shutdown before SIGKILL."),
) -> None:
    """Stop the broker gracefully, forcing it after the timeout."""
    if _broker().stop(timeout=timeout):
        console.print("Broker stopped.")
    else:
        console.print("Broker was not running.")


@broker_app.command("install")
def install() -> None:
    """Check Java 17+ and copy the Kafka jars from Maven Central (once; later runs reuse them)."""
    major = check_java()
    folder = ensure_jars(settings().resolved_jars_dir)
    console.print(f"Java {major} found; Kafka jars in {folder}")
