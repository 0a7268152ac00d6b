"""The gateway service: a batched, transactional aiokafka loop from ingress to log.

Each poll's batch is judged record by record (decode, validate, authorise, de-duplicate, check the
owner of the aggregate it touches); the log events, the dead letters with a notice to each
refused record's sender (``nl.kcr.ingress.rejected`` in its outbox), the ownership records the
accepted events claim and the consumed offsets are then committed in one Kafka transaction, so a
crash never loses a record nor writes one twice. A bad record never stops the loop. Registry trouble
rewinds the batch and retries it; a failed transaction (any record not acknowledged aborts it)
renews the producer after a growing pause (a new epoch settles what the old one left open) and goes
on from the group's committed offsets, so a commit the broker completed despite the error is counted
and remembered, not written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import RegistryUnavailable
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.ownership import CLAIMING_TYPES
from hub.errors import CodecError
from hub.gateway.admission import Admitted, Rejected, Verdict, admit
from hub.gateway.deadletter import DeadLetter, deadletter_headers
from hub.gateway.dedupe import DedupeWindow, EventKey
from hub.gateway.notices import rejection_notice
from hub.gateway.ownership import BatchOwners, OwnershipBook, claim, judge_ownership, to_record
from hub.gateway.ownership_store import backfill_from_log, forget_expired, read_ownership
from hub.gateway.policy import GatewayPolicy
from hub.gateway.reasons import RejectReason, reason_of
from hub.kafka.producers import started_producer
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.logs import get_logger
from hub.topics.declaration import TopicNames

__all__ = ["Gateway", "GatewayStats", "GatewayWiring"]

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Output = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]
_log = get_logger("hub.gateway")
_RETRY_SECONDS = 1.0
_MAX_BACKOFF_SECONDS = 30.0
_TOPICS_MAX_AGE_S = 30.0  # how long an unknown outbox stays unknown before topics are read again


def utc_now() -> datetime:
    """Return the wall-clock time in UTC (the gateway's ingestion stamp)."""
    return datetime.now(UTC)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less when ``stop`` is set meanwhile (a shutdown is not delayed)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


@dataclass(frozen=True)
class GatewayWiring:
    """Where the gateway connects: broker, topic names, client options, instance id."""

    bootstrap: str
    names: TopicNames = field(default_factory=TopicNames)
    client_config: Mapping[str, Any] = field(default_factory=dict)
    instance: str = "0"

    @property
    def group_id(self) -> str:
        """The consumer group of every gateway instance of this hub."""
        return f"{self.names.prefix}-gateway"

    @property
    def transactional_id(self) -> str:
        """The instance's transactional id: one per running gateway, the same after a restart."""
        return f"{self.group_id}-{self.instance}"


@dataclass
class GatewayStats:
    """Counts since start, for logs and tests."""

    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    retries: int = 0
    producers_renewed: int = 0


@dataclass
class _Judged:
    """What one batch was judged to be, kept until its transaction's fate is known."""

    at: datetime
    keys: set[EventKey]
    owners: BatchOwners
    verdicts: list[Verdict] = field(default_factory=list)


class _BatchSeen:
    """Keys accepted before (the window) or earlier in the current batch."""

    def __init__(self, window: DedupeWindow) -> None:
        self.window = window
        self.batch: set[EventKey] = set()

    def __contains__(self, key: object) -> bool:
        return key in self.batch or key in self.window


class Gateway:
    """Reads every ingress topic and writes each record to the log or the dead-letter topic."""

    def __init__(
        self,
        wiring: GatewayWiring,
        codec: EventCodec,
        registry: OrganisationRegistry,
        policy: GatewayPolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Prepare a gateway; nothing connects until :meth:`run`."""
        self.wiring = wiring
        self.codec = codec
        self.registry = registry
        self.policy = policy or GatewayPolicy()
        self.clock = clock
        self.stats = GatewayStats()
        self.seen = DedupeWindow(self.policy.dedupe_window, self.policy.dedupe_max_ids)
        self.owners = OwnershipBook()
        self._topics: set[str] = set()  # the cluster's topics, to write notices only to outboxes
        self._topics_read = float("-inf")  # that exist (a missing one would fail every batch)
        self._metadata: Callable[[], Any] | None = None

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Process batches until ``stop`` is set, then finish the batch in hand and close."""
        wiring = self.wiring
        consumer = AIOKafkaConsumer(
            bootstrap_servers=wiring.bootstrap,
            group_id=wiring.group_id,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
            **wiring.client_config,
        )
        producer = await self._new_producer()
        self._metadata = consumer.topics
        try:
            await consumer.start()
            await self.rebuild_dedupe_window()
            await self.rebuild_ownership(producer)
            consumer.subscribe(pattern=wiring.names.ingress_pattern)
            _log.info("gateway.started", group=wiring.group_id, dedupe_ids=len(self.seen),
                      owners=len(self.owners))  # fmt: skip
            if ready is not None:
                ready.set()
            failures = 0
            while not stop.is_set():
                batch = await consumer.getmany(
                    timeout_ms=self.policy.poll_timeout_ms,
                    max_records=self.policy.batch_max_records,
                )
                if not batch:
                    continue
                unsettled = await self._process(consumer, producer, batch)
                if unsettled is None:
                    failures = 0
                    continue
                failures += 1
                await _pause(stop, min(_RETRY_SECONDS * 2 ** (failures - 1), _MAX_BACKOFF_SECONDS))
                producer = await self._renewed(producer)
                if await self._resume_from_committed(consumer, batch):
                    self._settle(unsettled)
        finally:
            await consumer.stop()
            await producer.stop()
            _log.info("gateway.stopped", accepted=self.stats.accepted, rejected=self.stats.rejected)

    async def _new_producer(self) -> AIOKafkaProducer:
        """A started transactional producer; starting it fences and aborts its predecessor's."""
        return await started_producer(
            bootstrap_servers=self.wiring.bootstrap,
            transactional_id=self.wiring.transactional_id,
            enable_idempotence=True,
            linger_ms=5,
            **self.wiring.client_config,
        )

    async def _renewed(self, producer: AIOKafkaProducer) -> AIOKafkaProducer:
        """Replace ``producer`` after a failed transaction, retrying until the broker answers.

        A transactional producer whose commit failed on broker trouble can be out of step with
        the broker's sequence numbers (``OutOfOrderSequenceNumber`` on every later batch, seen
        after a broker restart). A new producer with the same transactional id gets a new epoch:
        the broker aborts whatever the old one left open, and its sequences start anew.
        """
        await producer.stop()
        while True:
            try:
                renewed = await self._new_producer()
            except KafkaError as error:
                _log.warning("gateway.producer_renew_failed", error=repr(error))
                await asyncio.sleep(_RETRY_SECONDS)
                continue
            self.stats.producers_renewed += 1
            _log.info("gateway.producer_renewed", renewed=self.stats.producers_renewed)
            return renewed

    async def rebuild_dedupe_window(self) -> None:
        """Remember the ids the log accepted within the window (survives restarts)."""
        since = self.clock() - self.policy.dedupe_window
        async for record in self._log_records(int(since.timestamp() * 1000)):
            headers = dict(record.headers)
            key = (headers.get("ce_source", b"").decode(), headers.get("ce_id", b"").decode())
            self.seen.remember(key, _record_time(record))

    async def rebuild_ownership(self, producer: AIOKafkaProducer) -> None:
        """Read the ownership topic back (not the log), then forget owners past the retention."""
        topic = self.wiring.names.ownership
        self.owners = await read_ownership(self.wiring.bootstrap, topic, self.wiring.client_config)
        await backfill_from_log(producer, topic, self.owners, self._creations, self.clock())
        ended_before = self.clock() - self.policy.ownership_retention
        await forget_expired(producer, topic, self.owners, ended_before)

    async def _creations(self) -> AsyncIterator[tuple[EventEnvelope, datetime]]:
        """The log's events that create or end an aggregate, decoded, with their log time."""
        async for record in self._log_records():
            if dict(record.headers).get("ce_type", b"").decode() not in CLAIMING_TYPES:
                continue
            try:
                event = await self.codec.decode_event(record.value)
            except CodecError as error:  # accepted once; a schema gone: skip, say so
                _log.warning("gateway.backfill_skipped", error=error.message)
                continue
            yield event, _record_time(record)

    async def _log_records(self, since_ms: int | None = None) -> AsyncIterator[Record]:
        """Every committed record of the log topics to their current end (from ``since_ms``)."""
        consumer = bounded_consumer(self.wiring.bootstrap, self.wiring.client_config)
        await consumer.start()
        try:
            topics = [self.wiring.names.log(family) for family in FAMILIES]
            partitions = await partitions_of(
                self.wiring.bootstrap, topics, self.wiring.client_config
            )
            async for records in read_until_end(consumer, partitions, since_ms):
                for record in records:
                    yield record
        finally:
            await consumer.stop()

    async def _process(
        self,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        batch: dict[TopicPartition, list[Record]],
    ) -> _Judged | None:
        """Judge and commit one batch; return it judged if Kafka failed its transaction.

        None means the batch is done with: committed (and settled), or rewound unsent on
        registry trouble. A returned batch means the producer must be renewed; its verdicts
        count only if the committed offsets then show the transaction landed after all.
        """
        now = self.clock()
        seen = _BatchSeen(self.seen)
        outputs: list[Output] = []
        judged = _Judged(now, seen.batch, BatchOwners(self.owners))
        try:
            for records in batch.values():
                for record in records:
                    verdict = await self._judge(record, now, seen, judged.owners)
                    judged.verdicts.append(verdict)
                    outputs.append(await self._output(record, verdict, now))
                    if isinstance(verdict, Rejected):
                        outputs += await self._notice(record, verdict, now)
            outputs += self._ownership_outputs(judged.owners)
            await self._commit(producer, outputs, batch)
        except RegistryUnavailable as error:
            await self._rewind(consumer, batch, error)
            return None
        except KafkaError as error:
            self.stats.retries += 1
            _log.warning("gateway.batch_failed", error=repr(error), records=len(outputs))
            return judged
        self._settle(judged)
        return None

    def _settle(self, judged: _Judged) -> None:
        """Remember a landed batch's ids (a resend is then a duplicate) and count its verdicts."""
        for key in judged.keys:
            self.seen.remember(key, judged.at)
        judged.owners.settle()
        self._count(judged.verdicts)

    async def _judge(
        self, record: Record, now: datetime, seen: _BatchSeen, owners: BatchOwners
    ) -> Verdict:
        org = self.wiring.names.org_of_ingress(record.topic) or record.topic
        if record.value is not None and len(record.value) > self.policy.max_record_bytes:
            size, limit = len(record.value), self.policy.max_record_bytes
            return Rejected(RejectReason.TOO_LARGE, f"value of {size} bytes exceeds {limit}")
        try:
            event = await self.codec.decode_event(record.value)
        except CodecError as error:
            return Rejected(reason_of(error), error.message)
        except RegistryUnavailable:
            raise
        except Exception as error:
            return Rejected(RejectReason.PROCESSING_ERROR, repr(error))
        verdict = admit(event, org, self.registry, self.policy, seen, now)
        if isinstance(verdict, Admitted):
            refused = judge_ownership(event, owners, self.registry)
            if refused is not None:
                return refused
            seen.batch.add((event.source, event.id))
            claimed = claim(event, owners, now)
            if claimed is not None:
                owners.pending[claimed[0]] = claimed[1]
        return verdict

    async def _notice(self, record: Record, verdict: Rejected, now: datetime) -> list[Output]:
        """The notice of a refused record for its sender's outbox (none for an unknown one)."""
        names = self.wiring.names
        org = names.org_of_ingress(record.topic)
        if org is None or org not in self.registry or org == "hub":
            return []
        if not await self._exists(names.outbox(org)):
            _log.warning("gateway.notice_without_outbox", org=org, topic=names.outbox(org))
            return []
        letter = DeadLetter(verdict.reason.value, verdict.detail, record.topic,
                            record.partition, record.offset, now)  # fmt: skip
        notice = rejection_notice(org, list(record.headers), letter)
        value = await self.codec.encode(notice)
        return [(names.outbox(org), notice.subject.encode(), value, to_ce_headers(notice))]

    async def _exists(self, topic: str) -> bool:
        """Whether ``topic`` exists (the topic list is read again at most every 30 s)."""
        loop_time = asyncio.get_running_loop().time()
        if topic not in self._topics and loop_time - self._topics_read > _TOPICS_MAX_AGE_S:
            if self._metadata is not None:
                self._topics = set(await self._metadata())
            self._topics_read = loop_time
        return topic in self._topics

    def _ownership_outputs(self, owners: BatchOwners) -> list[Output]:
        """The ownership records this batch's accepted events claim, one per aggregate."""
        topic = self.wiring.names.ownership
        return [(topic, *to_record(k, o), []) for k, o in owners.pending.items()]

    async def _output(self, record: Record, verdict: Verdict, now: datetime) -> Output:
        if isinstance(verdict, Admitted):
            event = verdict.event
            value = await self.codec.encode(event)
            topic = self.wiring.names.log(event.family)
            return topic, event.subject.encode(), value, to_ce_headers(event)
        letter = DeadLetter(verdict.reason.value, verdict.detail, record.topic,
                            record.partition, record.offset, now)  # fmt: skip
        headers = deadletter_headers(list(record.headers), letter)
        return self.wiring.names.deadletter, record.key, record.value, headers

    async def _commit(
        self,
        producer: AIOKafkaProducer,
        outputs: list[Output],
        batch: dict[TopicPartition, list[Record]],
    ) -> None:
        """Write ``outputs`` and the batch's offsets in one transaction, all or nothing.

        Every record must be acknowledged before the commit: aiokafka ends a transaction with
        COMMIT once its batches are *finished*, failed or not, so a record the broker refused
        would otherwise vanish while the consumed offsets land past it. A failed record raises
        inside the transaction, which aborts it (offsets included).
        """
        offsets = {tp: records[-1].offset + 1 for tp, records in batch.items()}
        async with producer.transaction():
            futures = [
                await producer.send(topic, value, key=key, headers=headers)
                for topic, key, value, headers in outputs
            ]
            await producer.send_offsets_to_transaction(offsets, self.wiring.group_id)
            deliveries = await asyncio.gather(*futures, return_exceptions=True)
            for delivery in deliveries:
                if isinstance(delivery, BaseException):
                    raise delivery

    async def _rewind(
        self,
        consumer: AIOKafkaConsumer,
        batch: dict[TopicPartition, list[Record]],
        error: Exception,
    ) -> None:
        """Read the batch again after a pause (nothing of it was sent)."""
        self.stats.retries += 1
        _log.warning(
            "gateway.batch_retry", error=repr(error), records=sum(map(len, batch.values()))
        )
        for tp, records in batch.items():
            consumer.seek(tp, records[0].offset)
        await asyncio.sleep(_RETRY_SECONDS)

    async def _resume_from_committed(
        self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[Record]]
    ) -> bool:
        """Go on from the group's committed offsets once the failed transaction is settled.

        A commit can fail on the client while the broker completed it (a lost answer). The
        renewed producer's start settled that transaction either way, so the committed offsets
        say the truth: past the batch when it landed (reading it again would write every event
        twice), before it when it was aborted. Returns whether the batch landed: a transaction
        is all or nothing, so one owned partition past its records says so for all of them.
        """
        landed_anywhere = False
        owned = consumer.assignment()
        for tp, records in batch.items():
            if tp not in owned:  # a rebalance moved it: its new owner reads the committed offset
                continue
            while True:
                try:
                    committed = await consumer.committed(tp)
                    break
                except KafkaError as error:
                    _log.warning("gateway.committed_unknown", partition=str(tp), error=repr(error))
                    await asyncio.sleep(_RETRY_SECONDS)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
            landed = committed is not None and committed > records[-1].offset
            landed_anywhere = landed_anywhere or landed
            _log.info("gateway.resumed", partition=str(tp), offset=committed, landed=landed)
        return landed_anywhere

    def _count(self, verdicts: list[Verdict]) -> None:
        self.stats.batches += 1
        for verdict in verdicts:
            if isinstance(verdict, Admitted):
                self.stats.accepted += 1
            else:
                reason = verdict.reason.value
                self.stats.rejected[reason] = self.stats.rejected.get(reason, 0) + 1
                _log.info("gateway.rejected", reason=reason, detail=verdict.detail[:300])


def _record_time(record: Record) -> datetime:
    """When the broker appended ``record`` (its timestamp), in UTC."""
    return datetime.fromtimestamp(record.timestamp / 1000, UTC)
