"""End-to-end latency: an incident published at an ingress → its view record and outbox record.

The whole hub runs as ``kcr run`` (registry, gateway, clock, processors) in a subprocess on the
run's topics; incidents are published at a fixed rate; consumers of the situation view and of
the NCC's outbox note when each incident's record arrives.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.env import BenchEnv
from hub.cli.run_cmd import READY_LINE
from hub.codec.headers import to_ce_headers
from hub.domain import testing as given

__all__ = ["latency_at_rates"]


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"count": 0}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"count": len(ordered), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": ordered[-1] * 1000}  # fmt: skip


async def _watch(env: BenchEnv, topic: str, arrived: dict[str, float], stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=env.bootstrap, group_id=None,
                                auto_offset_reset="latest", fetch_max_wait_ms=10)  # fmt: skip
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=50)
            now = time.perf_counter()
            for record in (r for records in batch.values() for r in records):
                key = (record.key or b"").decode()
                if key.startswith("incident/") and key not in arrived:
                    arrived[key] = now
    finally:
        await consumer.stop()


async def _publish_at(env: BenchEnv, rate: int, seconds: float, sent: dict[str, float]) -> None:
    codec = env.codec()
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, linger_ms=0)
    await producer.start()
    try:
        for n in range(int(rate * seconds)):
            due = n / rate
            region = f"vr{(n % 25) + 1:02d}"
            incident = f"lat-{rate}-{n}"
            event = given.incident_reported(incident, datetime.now(UTC), region, grip_level="1")
            value = await codec.encode(event)
            delay = due - (time.perf_counter() - sent.setdefault("_start", time.perf_counter()))
            if delay > 0:
                await asyncio.sleep(delay)
            sent[f"incident/{incident}"] = time.perf_counter()
            await producer.send(env.names.ingress(region), value, key=incident.encode(),
                                headers=to_ce_headers(event))  # fmt: skip
        await producer.flush()
    finally:
        await producer.stop()


async def _one_rate(env: BenchEnv, rate: int, seconds: float) -> dict[str, dict[str, float]]:
    view_arrived: dict[str, float] = {}
    outbox_arrived: dict[str, float] = {}
    sent: dict[str, float] = {}
    stop = asyncio.Event()
    watchers = [
        asyncio.create_task(_watch(env, env.names.view("situation"), view_arrived, stop)),
        asyncio.create_task(_watch(env, env.names.outbox("ncc"), outbox_arrived, stop)),
    ]
    await asyncio.sleep(2)  # let the watchers join at the end of the topics
    await _publish_at(env, rate, seconds, sent)
    await asyncio.sleep(3)  # the last records' ticks
    stop.set()
    await asyncio.gather(*watchers)
    sent.pop("_start", None)
    return {
        "view": _percentiles([view_arrived[k] - t for k, t in sent.items() if k in view_arrived]),
        "outbox": _percentiles(
            [outbox_arrived[k] - t for k, t in sent.items() if k in outbox_arrived]
        ),
    }


def _start_hub(env: BenchEnv, log: Path) -> subprocess.Popen[bytes]:
    """``kcr run`` without a registry of its own, on the run's topics, logging to ``log``."""
    environment = {
        **os.environ,
        "KCR_BOOTSTRAP": env.bootstrap,
        "KCR_TOPIC_PREFIX": env.names.prefix,
        "KCR_REGISTRY_URL": env.registry_url,
    }
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "run",
             "--without", "registry", "--without", "bridge"],
            env=environment, stdout=out, stderr=out,
        )  # fmt: skip


async def latency_at_rates(
    env: BenchEnv, rates: tuple[int, ...], seconds: float, work: Path
) -> dict[str, dict[str, dict[str, float]]]:
    """Start the hub, measure at each rate, stop the hub; return percentiles per rate."""
    log = work / "latency-hub.log"
    hub = _start_hub(env, log)
    try:
        deadline = time.monotonic() + 120
        while READY_LINE not in log.read_text():
            if hub.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start: {log.read_text()[-2000:]}")
            await asyncio.sleep(0.3)
        return {str(rate): await _one_rate(env, rate, seconds) for rate in rates}
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(timeout=90)
