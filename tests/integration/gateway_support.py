"""Fixtures and helpers for gateway tests: a hub's topics, a registry, a running gateway."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES, parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.gateway.policy import GatewayPolicy
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.topics import TopicNames, hub_topics
from hub.topics.admin import apply_topics
from tests.harness import running_service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"


def fresh_example(name: str, **changes: Any) -> EventEnvelope:
    """Return an example event with a new id and the current time (plus ``changes``)."""
    document = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    document.update({"id": str(uuid.uuid4()), "time": datetime.now(UTC).isoformat(), **changes})
    return parse_event(document)


def make_hub_topics(bootstrap: str, prefix: str, orgs: tuple[str, ...]) -> TopicNames:
    """Create the topics of a hub under ``prefix`` for ``orgs`` and return their names."""
    names = TopicNames(prefix)
    apply_topics(bootstrap, hub_topics(orgs, FAMILIES, names))
    return names


@asynccontextmanager
async def running_gateway(
    bootstrap: str, names: TopicNames, registry_url: str, policy: GatewayPolicy | None = None
) -> AsyncIterator[Gateway]:
    """Run a gateway on ``names`` until the block ends; yield it (for its stats)."""
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    gateway = Gateway(GatewayWiring(bootstrap, names), codec, load_registry(), policy)
    async with running_service(gateway.run):
        yield gateway


RawRecord = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]


async def send_raw(bootstrap: str, records: Sequence[RawRecord]) -> None:
    """Produce ``(topic, key, value, headers)`` records as they are, in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for topic, key, value, headers in records:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def publish(
    bootstrap: str, codec: EventCodec, topic: str, events: list[EventEnvelope]
) -> None:
    """Encode ``events`` as a partner would and produce them to ``topic``."""
    records: list[RawRecord] = [
        (topic, e.subject.encode(), await codec.encode(e), to_ce_headers(e)) for e in events
    ]
    await send_raw(bootstrap, records)


async def read_all(bootstrap: str, topics: list[str]) -> list[ConsumerRecord[bytes, bytes]]:
    """Return every committed record of ``topics`` (bounded read, from the beginning)."""
    consumer = bounded_consumer(bootstrap)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topics)
        return [r async for batch in read_until_end(consumer, partitions) for r in batch]
    finally:
        await consumer.stop()


async def wait_for_records(
    bootstrap: str, topics: list[str], count: int, timeout: float = 60
) -> list[ConsumerRecord[bytes, bytes]]:
    """Wait until ``topics`` hold at least ``count`` committed records; return them all."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = await read_all(bootstrap, topics)
        if len(records) >= count or loop.time() > deadline:
            return records
        await asyncio.sleep(0.3)


def unique_prefix(make: Callable[[str], str]) -> str:
    """A topic prefix for one test's hub (dots and dashes allowed by the setting's pattern)."""
    return make("t").lower().replace("_", "-")
