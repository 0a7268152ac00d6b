"""The benchmark's environment: a broker, a schema registry, and a hub of its own topics."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from hub.broker import LocalBroker, broker_answers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.organisations import load_registry
from hub.registry import RegistryConfig, serve_registry
from hub.settings import load_settings
from hub.topics import TopicNames, hub_topics
from hub.topics.admin import apply_topics

__all__ = ["BenchEnv", "bench_env", "load_averages", "machine"]


@dataclass(frozen=True)
class BenchEnv:
    """Where a benchmark run works: broker address, registry URL, topic names, jars."""

    bootstrap: str
    registry_url: str
    names: TopicNames
    jars: Path

    def codec(self) -> EventCodec:
        """A codec talking to the run's registry."""
        return EventCodec(HttpSchemaRegistry(self.registry_url))


def machine() -> dict[str, str | int | float | list[float]]:
    """What the numbers were measured on, with the load before the run (other work skews it).

    ``load_before``: the 1-, 5- and 15-minute load averages, as ``uptime`` prints them.
    """
    return {
        "cpus": os.cpu_count() or 0,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "load_1min_before": round(os.getloadavg()[0], 2),
        "load_before": load_averages(),
    }


def load_averages() -> list[float]:
    """The 1-, 5- and 15-minute load averages now (``uptime``'s three figures)."""
    return [round(load, 2) for load in os.getloadavg()]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def bench_env(data_dir: Path) -> AsyncIterator[BenchEnv]:
    """Use the broker at KCR_BOOTSTRAP (or start a fresh one), run a registry, make topics."""
    settings = load_settings()
    broker: LocalBroker | None = None
    bootstrap = settings.bootstrap
    if not broker_answers(bootstrap, timeout=3.0):
        host, port = settings.first_server
        broker = LocalBroker(data_dir / "kafka", settings.resolved_jars_dir.resolve(), host, port)
        await asyncio.to_thread(broker.start)
    jars = next(settings.resolved_jars_dir.resolve().glob("*/kafka-tools-*.jar")).parent
    names = TopicNames(f"bench{uuid.uuid4().hex[:6]}")
    orgs = [o for o in load_registry().ids() if o != "hub"]
    await asyncio.to_thread(apply_topics, bootstrap, hub_topics(orgs, FAMILIES, names))
    port = _free_port()
    stop, ready = asyncio.Event(), asyncio.Event()
    config = RegistryConfig(bootstrap=bootstrap, port=port, topic=names.schemas)
    registry = asyncio.create_task(serve_registry(config, stop, ready))
    await ready.wait()
    try:
        yield BenchEnv(bootstrap, f"http://127.0.0.1:{port}", names, jars)
    finally:
        stop.set()
        await registry
        if broker is not None:  # a broker of the bench's own: its data goes with it
            await asyncio.to_thread(broker.stop)
            await asyncio.to_thread(shutil.rmtree, data_dir / "kafka", True)
