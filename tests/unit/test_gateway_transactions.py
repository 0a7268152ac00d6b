"""The gateway's transactions and retries, through its client protocols, without a broker.

A small in-memory cluster (:class:`FakeKafka`) keeps committed records and the group's offsets;
its producers fail at the calls a test scripts, with librdkafka's error classes as
``hub/kafka/`` raises them: retriable, abortable, fatal, fenced.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.codec.serde import EventCodec
from hub.codec.wire import unpack
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.gateway.ownership import Ownership, to_record
from hub.gateway.ownership_store import BACKFILL_MARKER
from hub.gateway.policy import GatewayPolicy
from hub.gateway.service import Gateway, GatewayFenced, GatewayWiring
from hub.gateway.transaction import RETRIABLE_TRIES, write_transaction
from hub.kafka.errors import (
    ProducerFenced,
    TransactionAbortable,
    TransactionError,
    TransactionFatal,
    TransactionRetriable,
)
from hub.kafka.records import ConsumedRecord, Header, OutRecord, Position
from hub.topics.declaration import TopicNames

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"
NAMES = TopicNames()
INGRESS = NAMES.ingress("vr19")
LOG = NAMES.log("heartbeat")


class FakeRecord:
    """A committed record, read back as the gateway reads librdkafka's messages."""

    def __init__(
        self, topic: str, offset: int, key: bytes | None, value: bytes | None,
        headers: list[Header], time_ms: int,
    ) -> None:  # fmt: skip
        self._topic, self._offset, self._key, self._value = topic, offset, key, value
        self._headers, self._time_ms = headers, time_ms

    def topic(self) -> str | None:
        """The record's topic."""
        return self._topic

    def partition(self) -> int | None:
        """Always partition 0."""
        return 0

    def offset(self) -> int | None:
        """The record's offset."""
        return self._offset

    def key(self) -> bytes | None:
        """The record's key."""
        return self._key

    def value(self) -> bytes | None:
        """The record's value."""
        return self._value

    def headers(self) -> list[Header] | None:
        """The record's headers."""
        return self._headers

    def timestamp(self) -> tuple[int, int]:
        """(append time type, milliseconds)."""
        return 1, self._time_ms


class LandsThenFails:
    """Scripted for ``commit``: the transaction lands, then the call raises ``error``."""

    def __init__(self, error: TransactionError) -> None:
        self.error = error


class FakeKafka:
    """Committed records per topic (one partition each), the group's offsets, scripted failures."""

    def __init__(self) -> None:
        self.topics: dict[str, list[FakeRecord]] = defaultdict(list)
        self.committed: dict[Position, int] = {}
        self.failures: dict[str, list[TransactionError | LandsThenFails]] = defaultdict(list)
        self.calls: list[str] = []
        self.transactions = 0

    def append(self, record: OutRecord) -> None:
        """Append ``record`` to its topic as committed."""
        topic, key, value, headers = record
        log = self.topics[topic]
        log.append(FakeRecord(topic, len(log), key, value, headers, int(time.time() * 1000)))

    def fail(self, operation: str, *errors: TransactionError | LandsThenFails) -> None:
        """Make the next calls of ``operation`` (on any producer) fail with ``errors``."""
        self.failures[operation] += errors


class FakeProducer:
    """A transactional producer over :class:`FakeKafka`; unusable after a fatal error."""

    def __init__(self, kafka: FakeKafka) -> None:
        self.kafka = kafka
        self.pending: list[OutRecord] = []
        self.offsets: dict[Position, int] = {}
        self.dead = False

    def _call(self, operation: str) -> LandsThenFails | None:
        self.kafka.calls.append(operation)
        if self.dead:
            raise TransactionFatal(operation, "_FATAL", "used after a fatal error")
        scripted = self.kafka.failures[operation]
        failure = scripted.pop(0) if scripted else None
        if isinstance(failure, TransactionFatal):
            self.dead = True
        if isinstance(failure, TransactionError):
            raise failure
        return failure

    async def begin(self) -> None:
        """Start a transaction."""
        self._call("begin")
        self.pending, self.offsets = [], {}

    async def produce(self, records: Sequence[OutRecord]) -> None:
        """Hold ``records`` in the transaction."""
        self._call("produce")
        self.pending += records

    async def send_offsets(self, offsets: Mapping[Position, int], group_metadata: object) -> None:
        """Hold the group's next offsets in the transaction."""
        self._call("send_offsets")
        self.offsets = dict(offsets)

    async def commit(self) -> None:
        """Land the held records and offsets (or fail as scripted)."""
        landed_then = self._call("commit")
        for record in self.pending:
            self.kafka.append(record)
        self.kafka.committed.update(self.offsets)
        self.kafka.transactions += 1
        if landed_then is not None:
            self.dead = True
            raise landed_then.error

    async def abort(self) -> None:
        """Drop the held records and offsets."""
        self._call("abort")
        self.pending, self.offsets = [], {}

    async def close(self) -> None:
        """Note the close."""
        self.kafka.calls.append("close")


class FakeConsumer:
    """The gateway group's only member over :class:`FakeKafka`: every ingress partition."""

    def __init__(self, kafka: FakeKafka) -> None:
        self.kafka = kafka
        self.positions: dict[Position, int] = {}

    async def subscribe(self, pattern: str) -> None:
        """Own every matching topic from its committed offset."""
        for topic in [t for t in self.kafka.topics if re.match(pattern, t)]:
            self.positions[(topic, 0)] = self.kafka.committed.get((topic, 0), 0)

    async def take(self, max_records: int, timeout: float) -> Sequence[ConsumedRecord]:
        """Up to ``max_records`` from the positions on."""
        taken: list[ConsumedRecord] = []
        for (topic, partition), offset in self.positions.items():
            fresh = self.kafka.topics[topic][offset : offset + max_records - len(taken)]
            self.positions[(topic, partition)] = offset + len(fresh)
            taken += fresh
        if not taken:
            await asyncio.sleep(0.001)
        return taken

    async def assignment(self) -> set[Position]:
        """Every subscribed partition."""
        return set(self.positions)

    async def committed(self, positions: Collection[Position]) -> dict[Position, int | None]:
        """The group's committed offsets."""
        return {position: self.kafka.committed.get(position) for position in positions}

    async def rewind(self, offsets: Mapping[Position, int | None]) -> None:
        """Move the positions back."""
        for position, offset in offsets.items():
            if position in self.positions:
                self.positions[position] = offset or 0

    async def group_metadata(self) -> object:
        """A fixed generation."""
        return "generation-1"

    async def topics(self) -> set[str]:
        """The cluster's topics."""
        return set(self.kafka.topics)

    async def close(self) -> None:
        """Note that the member left."""
        self.kafka.calls.append("leave")


class FakeClients:
    """The gateway's clients over one :class:`FakeKafka`; counts the producers it made."""

    def __init__(self, kafka: FakeKafka) -> None:
        self.kafka = kafka
        self.made = 0
        self.refusals: list[Exception] = []

    def consumer(self) -> FakeConsumer:
        """A new member."""
        return FakeConsumer(self.kafka)

    async def producer(self) -> FakeProducer:
        """A new producer (counted), unless a refusal is scripted."""
        if self.refusals:
            raise self.refusals.pop(0)
        self.made += 1
        return FakeProducer(self.kafka)

    async def history(
        self, topics: Sequence[str], since_ms: int | None = None
    ) -> AsyncIterator[Sequence[ConsumedRecord]]:
        """The committed records of ``topics`` from ``since_ms``."""
        for topic in topics:
            records = [
                r for r in self.kafka.topics.get(topic, []) if r.timestamp()[1] >= (since_ms or 0)
            ]
            if records:
                yield records


class _MemoryRegistry:
    """Schemas in a dict, for a codec without a registry server."""

    def __init__(self) -> None:
        self.schemas: dict[int, Any] = {}

    async def register(self, subject: str, schema: Any) -> int:
        for schema_id, known in self.schemas.items():
            if known == schema:
                return schema_id
        self.schemas[len(self.schemas) + 1] = schema
        return len(self.schemas)

    async def schema_by_id(self, schema_id: int) -> Any:
        return self.schemas.get(schema_id)

    async def set_compatibility(self, subject: str, level: str) -> None:
        return None


def _heartbeat() -> EventEnvelope:
    document = json.loads((EXAMPLES / "heartbeat.sent.json").read_text(encoding="utf-8"))
    document.update(id=str(uuid.uuid4()), source="vr19", subject="vr19",
                    time=datetime.now(UTC).isoformat())  # fmt: skip
    return parse_event(document)


class _UrlRegistry(_MemoryRegistry):
    """A memory registry that says where it is served, as :class:`HttpSchemaRegistry` does."""

    url = "http://registry.example:8081/"


async def _hub(
    count: int = 3, registry: _MemoryRegistry | None = None
) -> tuple[FakeKafka, Gateway, list[EventEnvelope]]:
    """A cluster with ``count`` heartbeats of vr19 in its ingress, and a gateway over it."""
    kafka, codec = FakeKafka(), EventCodec(registry or _MemoryRegistry())
    events = [_heartbeat() for _ in range(count)]
    for event in events:
        kafka.append((INGRESS, b"vr19", await codec.encode(event), []))
    kafka.topics[NAMES.outbox("vr19")] = []
    marker = to_record(BACKFILL_MARKER, Ownership("hub", datetime.now(UTC)))
    kafka.append((NAMES.ownership, *marker, []))  # claimed before: no start-up transaction
    policy = GatewayPolicy(retry_pause=timedelta(milliseconds=1), poll_timeout_ms=1)
    wiring = GatewayWiring("fake:9092", NAMES)
    return (
        kafka,
        Gateway(wiring, codec, load_registry(), policy, clients=FakeClients(kafka)),
        events,
    )


async def _run_until(gateway: Gateway, done: Callable[[], bool], timeout: float = 5.0) -> None:
    """Run ``gateway`` until ``done()`` holds (failing after ``timeout`` s), then stop it."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(gateway.run(stop, ready))
    deadline = time.monotonic() + timeout
    while not done() and not task.done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.001)
    stop.set()
    await task


def _logged_ids(kafka: FakeKafka) -> list[str]:
    return [dict(r.headers() or [])["ce_id"].decode() for r in kafka.topics[LOG]]


def _ids(events: list[EventEnvelope]) -> list[str]:
    return [event.id for event in events]


async def test_a_batch_lands_with_its_offsets_in_one_transaction() -> None:
    """Three events: one transaction holds the three log records and the offset past them."""
    kafka, gateway, events = await _hub()
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events)
    assert kafka.committed[(INGRESS, 0)] == 3
    assert kafka.transactions == 1
    assert kafka.calls[:4] == ["begin", "produce", "send_offsets", "commit"]


async def test_logged_records_name_their_writer_schema_in_ce_dataschema() -> None:
    """ce_dataschema is the registry's URL of the schema id in the record's framing."""
    kafka, gateway, events = await _hub(2, _UrlRegistry())
    await _run_until(gateway, lambda: len(kafka.topics.get(LOG, [])) == 2)
    for record in kafka.topics[LOG]:
        schema_id, _ = unpack(record.value())
        headers = dict(record.headers() or [])
        expected = f"http://registry.example:8081/schemas/ids/{schema_id}"
        assert headers["ce_dataschema"].decode() == expected
    assert sorted(_logged_ids(kafka)) == sorted(_ids(events))


async def test_an_abortable_error_aborts_and_runs_the_same_batch_again() -> None:
    """A commit failing abortably is aborted; the batch runs again with the same producer."""
    kafka, gateway, events = await _hub()
    kafka.fail("commit", TransactionAbortable("commit_transaction", "_MSG_TIMED_OUT", "refused"))
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events), "lost or doubled"
    assert kafka.committed[(INGRESS, 0)] == 3
    assert "abort" in kafka.calls
    assert gateway.stats.retries == 1
    assert gateway.stats.producers_renewed == 0


async def test_a_record_refused_mid_batch_aborts_the_batch_not_part_of_it() -> None:
    """A produce that fails abortably: nothing of the batch is committed, then all of it once."""
    kafka, gateway, events = await _hub()
    kafka.fail("produce", TransactionAbortable("produce", "MSG_SIZE_TOO_LARGE", "too big"))
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events)
    assert kafka.calls.count("abort") == 1


async def test_a_retriable_commit_is_repeated_within_the_same_transaction() -> None:
    """A commit that timed out is called again; the batch is not aborted nor run again."""
    kafka, gateway, events = await _hub()
    kafka.fail("commit", TransactionRetriable("commit_transaction", "_TIMED_OUT", "slow"))
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events)
    assert "abort" not in kafka.calls
    assert gateway.stats.retries == 0


async def test_a_fatal_error_builds_a_new_producer_and_resumes_from_the_committed_offsets() -> None:
    """The producer is unusable: a new one runs the batch again (it had not landed)."""
    kafka, gateway, events = await _hub()
    kafka.fail("commit", TransactionFatal("commit_transaction", "_INCONSISTENT", "broken"))
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events), "lost or doubled"
    assert gateway.stats.producers_renewed == 1
    assert isinstance(gateway.clients, FakeClients)
    assert gateway.clients.made == 2


async def test_a_batch_that_landed_before_a_fatal_error_is_counted_once_not_rerun() -> None:
    """The commit landed but its answer failed: the new producer does not write it again."""
    kafka, gateway, events = await _hub()
    kafka.fail("commit", LandsThenFails(TransactionFatal("commit_transaction", "_FATAL", "lost")))
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events), "the landed batch was written again"
    assert gateway.stats.producers_renewed == 1
    assert all(("vr19", event.id) in gateway.seen for event in events)


async def test_a_fenced_producer_stops_the_instance() -> None:
    """Fenced: the gateway raises GatewayFenced, makes no new producer and writes nothing."""
    kafka, gateway, _ = await _hub()
    kafka.fail("commit", ProducerFenced("commit_transaction", "_FENCED", "newer epoch"))
    with pytest.raises(GatewayFenced, match="kcr-gateway-0"):
        await _run_until(gateway, lambda: False)
    assert kafka.topics[LOG] == []
    assert (INGRESS, 0) not in kafka.committed
    assert gateway.stats.producers_renewed == 0
    assert kafka.calls[-2:] == ["leave", "close"]


async def test_a_failed_commit_never_acknowledges_the_batch() -> None:
    """While commits fail, no event is counted, remembered or logged, and no offset moves."""
    kafka, gateway, events = await _hub()
    kafka.fail("commit", *[TransactionAbortable("commit_transaction", "x", "no")] * 3)
    await _run_until(gateway, lambda: gateway.stats.retries == 3)
    assert gateway.stats.accepted == 0
    assert not any(("vr19", event.id) in gateway.seen for event in events)
    assert kafka.topics[LOG] == []
    assert (INGRESS, 0) not in kafka.committed


async def test_a_retriable_call_failing_every_try_is_an_unknown_outcome() -> None:
    """send_offsets retriable on every try: after the last one it counts as fatal."""
    kafka = FakeKafka()
    error = TransactionRetriable("send_offsets_to_transaction", "_TIMED_OUT", "slow")
    kafka.fail("send_offsets", *[error] * RETRIABLE_TRIES)
    with pytest.raises(TransactionFatal, match=f"{RETRIABLE_TRIES} tries"):
        await write_transaction(FakeProducer(kafka), [(LOG, b"k", b"v", [])], {(INGRESS, 0): 1},
                                pause=0)  # fmt: skip
    assert kafka.topics[LOG] == []


async def test_an_abort_that_fails_fatally_is_an_unknown_outcome() -> None:
    """An abortable error whose abort fails fatally is raised as fatal (the producer is done)."""
    kafka = FakeKafka()
    kafka.fail("commit", TransactionAbortable("commit_transaction", "x", "no"))
    kafka.fail("abort", TransactionFatal("abort_transaction", "_FATAL", "gone"))
    with pytest.raises(TransactionFatal):
        await write_transaction(FakeProducer(kafka), [(LOG, b"k", b"v", [])], pause=0)


async def test_a_new_producer_is_tried_again_while_the_broker_does_not_answer() -> None:
    """A new producer's init timing out (at start, as after a fatal error) is tried again."""
    kafka, gateway, events = await _hub()
    kafka.fail("commit", TransactionFatal("commit_transaction", "_FATAL", "broken"))
    assert isinstance(gateway.clients, FakeClients)
    timeout = TransactionRetriable("init_transactions", "_TIMED_OUT", "no coordinator")
    gateway.clients.refusals += [timeout, timeout]
    await _run_until(gateway, lambda: gateway.stats.accepted == 3)
    assert _logged_ids(kafka) == _ids(events)
    assert gateway.stats.producers_renewed == 1
