"""Helpers of the fuzz tests: a long-lived gateway, planned records, and the reconciliation.

A fuzz example is a list of :class:`Planned` records, each with what the gateway must do with
it: accept it (the log then holds its ``(source, id)`` exactly once) or dead-letter it with one
of the expected reasons. :func:`reconcile` matches the log by event id and the dead letters by
their ``kcr_source_*`` coordinates, and counts what was lost, doubled or mislabelled.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import fastavro
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from hub.bridge.config import BridgeConfig
from hub.bridge.server import serve_bridge
from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.codec.wire import pack
from hub.contracts.avro_schema import avro_schema_for, to_avro_record
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.gateway.policy import GatewayPolicy
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.reading import partitions_of
from hub.topics.declaration import TopicNames
from tests.harness import free_port, running_service
from tests.integration.gateway_support import read_all

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Coordinates: TypeAlias = tuple[str, int, int]  # topic, partition, offset
EventKey: TypeAlias = tuple[str, str]  # source, id


@dataclass(frozen=True)
class Planned:
    """One ingress record and its expected fate: ``accept`` its key, or one of ``reasons``."""

    kind: str
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    accept: EventKey | None = None
    reasons: frozenset[str] = frozenset()


@dataclass
class Tally:
    """The outcome of one fuzz example, printed and asserted by the tests."""

    sent: int = 0
    accepted: int = 0
    deadlettered: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    mislabelled: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        """A one-line summary: sent, accepted, dead-lettered per reason, lost, duplicated."""
        letters = ", ".join(f"{k}={v}" for k, v in sorted(self.deadlettered.items()))
        return (
            f"{label}: sent={self.sent} accepted={self.accepted} "
            f"deadlettered={sum(self.deadlettered.values())} ({letters}) "
            f"lost={len(self.lost)} duplicated={len(self.duplicated)} "
            f"mislabelled={len(self.mislabelled)}"
        )

    def add(self, other: Tally) -> None:
        """Add ``other``'s counts to this one (for a run's total)."""
        self.sent += other.sent
        self.accepted += other.accepted
        self.deadlettered.update(other.deadlettered)
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.mislabelled += other.mislabelled


def avro_bypassing_models(event: EventEnvelope, schema_id: int, **data: object) -> bytes:
    """Encode ``event`` with its real schema and ``data`` changes, skipping pydantic's checks."""
    record = to_avro_record(event)
    record["data"] = {**record["data"], **data}
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(avro_schema_for(type(event))), record)
    return pack(schema_id, buffer.getvalue())


@dataclass
class LiveGateway:
    """A gateway task shared by the examples of one test."""

    gateway: Gateway
    task: asyncio.Task[None]
    names: TopicNames

    def assert_alive(self) -> None:
        """Fail if the gateway's loop has ended (it must survive every record)."""
        if self.task.done():
            raise AssertionError(f"the gateway died: {self.task.exception()!r}")


@asynccontextmanager
async def live_gateway(
    bootstrap: str, names: TopicNames, registry_url: str, policy: GatewayPolicy
) -> AsyncIterator[LiveGateway]:
    """Run one gateway in-process until the block ends; yield it with its task."""
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    gateway = Gateway(GatewayWiring(bootstrap, names), codec, load_registry(), policy)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.ensure_future(gateway.run(stop, ready))
    readiness = asyncio.ensure_future(ready.wait())
    await asyncio.wait({task, readiness}, timeout=90, return_when=asyncio.FIRST_COMPLETED)
    readiness.cancel()
    live = LiveGateway(gateway, task, names)
    live.assert_alive()
    try:
        yield live
    finally:
        stop.set()
        await task


async def send_planned(bootstrap: str, planned: Sequence[Planned]) -> dict[Coordinates, Planned]:
    """Produce ``planned`` in order (one idempotent producer); return them by coordinates."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(p.topic, p.value, key=p.key, headers=p.headers) for p in planned
        ]
        sent = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return {(m.topic, m.partition, m.offset): p for m, p in zip(sent, planned, strict=True)}


async def wait_consumed(bootstrap: str, group: str, topics: list[str], timeout: float) -> None:
    """Wait until ``group`` has committed every partition of ``topics`` up to its end."""
    partitions = await partitions_of(bootstrap, topics)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await probe.start()
    await admin.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            ends = await probe.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            behind = {tp: end for tp, end in ends.items() if end > 0 and _at(committed, tp) < end}
            if not behind:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the gateway did not consume {behind} within {timeout} s")
            await asyncio.sleep(0.3)
    finally:
        await admin.close()
        await probe.stop()


def _at(committed: dict[TopicPartition, Any], tp: TopicPartition) -> int:
    entry = committed.get(tp)
    return -1 if entry is None else int(entry.offset)


async def read_outputs(bootstrap: str, names: TopicNames) -> tuple[list[Record], list[Record]]:
    """Every committed record of the hub's log topics, and of its dead-letter topic."""
    logs = await read_all(bootstrap, [names.log(family) for family in FAMILIES])
    return logs, await read_all(bootstrap, [names.deadletter])


def reconcile(
    sent: dict[Coordinates, Planned], logs: list[Record], letters: list[Record], ids: set[str]
) -> Tally:
    """Match this example's outputs to its plan; ``ids`` are every event id it generated."""
    tally = Tally(sent=len(sent))
    expected = Counter(p.accept for p in sent.values() if p.accept is not None)
    logged = Counter(_event_key(r) for r in logs if header_map(r.headers).get("ce_id", "") in ids)
    for key in expected.keys() | logged.keys():
        want, got = expected[key], logged[key]
        tally.accepted += min(want, got)
        tally.lost += [f"accepted {key}"] * max(0, want - got)
        tally.duplicated += [f"logged {key}"] * max(0, got - want)
    mine = [r for r in letters if _source_of(r) in sent]
    seen = Counter(_source_of(r) for r in mine)
    tally.duplicated += [f"dead letter of {c}" for c, n in seen.items() if n > 1]
    for record in mine:
        _judge_letter(record, sent[_source_of(record)], tally)
    rejected = {c for c, p in sent.items() if p.accept is None}
    tally.lost += [f"{sent[c].kind} at {c}" for c in rejected - seen.keys()]
    return tally


def _judge_letter(record: Record, planned: Planned, tally: Tally) -> None:
    meta = header_map(record.headers)
    reason = meta["kcr_reason"]
    tally.deadlettered[reason] += 1
    intact = (record.key, record.value) == (planned.key, planned.value)
    original = list(record.headers)[: len(planned.headers)] == planned.headers
    if reason not in planned.reasons or not intact or not original or not meta["kcr_detail"]:
        wanted = sorted(planned.reasons) or ["accepted"]
        tally.mislabelled.append(f"{planned.kind}: {reason} ({meta['kcr_detail'][:200]}), {wanted}")


def _event_key(record: Record) -> EventKey:
    meta = header_map(record.headers)
    return meta["ce_source"], meta["ce_id"]


def _source_of(record: Record) -> Coordinates:
    meta = header_map(record.headers)
    return (
        meta["kcr_source_topic"],
        int(meta["kcr_source_partition"]),
        int(meta["kcr_source_offset"]),
    )


@asynccontextmanager
async def small_body_bridge(
    bootstrap: str, names: TopicNames, registry_url: str, keys_file: Path, max_body: int
) -> AsyncIterator[str]:
    """Run a bridge whose body limit is ``max_body`` bytes on a free port; yield its URL."""
    config = BridgeConfig(bootstrap=bootstrap, registry_url=registry_url, keys_file=keys_file,
                          names=names, port=free_port(), max_body_bytes=max_body)  # fmt: skip

    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_bridge(config, stop, ready)

    async with running_service(main):
        yield config.url()
