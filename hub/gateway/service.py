"""The gateway service: a batched, transactional loop from ingress to log, on librdkafka.

Each batch is judged record by record (:mod:`hub.gateway.judge`: decode, validate, authorise,
de-duplicate, check the owner of the aggregate it touches); the log events, the dead letters
with a notice to each refused record's sender, the ownership records the accepted events claim
and the consumed offsets are then committed in one Kafka transaction
(:func:`~hub.gateway.transaction.write_transaction`), so a crash never loses a record nor writes
one twice. A bad record never stops the loop. Schema-registry trouble rewinds the batch and
retries it. A transaction Kafka aborts rewinds the batch and retries it after a growing pause. One
whose outcome is unknown (a fatal producer error) renews the producer after that pause and goes on
from the group's committed offsets, so a commit the broker completed despite the error is
counted and remembered, not written twice. A producer fenced by a newer one with the same
transactional id stops the instance (:class:`GatewayFenced`): another gateway runs as it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.codec.registry_client import RegistryUnavailable
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.errors import HubError
from hub.gateway.admission import Admitted, Verdict
from hub.gateway.batch import Batch
from hub.gateway.clients import GatewayClients, IngressConsumer, TransactionalWriter
from hub.gateway.dedupe import DedupeWindow
from hub.gateway.history import creations, remember_logged
from hub.gateway.judge import Judge, Judged
from hub.gateway.ownership import OwnershipBook
from hub.gateway.ownership_store import backfill_from_log, forget_expired, read_ownership
from hub.gateway.policy import GatewayPolicy
from hub.gateway.transaction import write_transaction
from hub.kafka.clients import librdkafka_options
from hub.kafka.errors import (
    KafkaUnavailable,
    ProducerFenced,
    TransactionAbortable,
    TransactionFatal,
    TransactionRetriable,
)
from hub.kafka.gateway_clients import GatewayKafka
from hub.kafka.records import OutRecord
from hub.logs import get_logger
from hub.topics.declaration import TopicNames

__all__ = ["Gateway", "GatewayFenced", "GatewayStats", "GatewayWiring"]

_log = get_logger("hub.gateway")


def utc_now() -> datetime:
    """Return the wall-clock time in UTC (the gateway's ingestion stamp)."""
    return datetime.now(UTC)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less when ``stop`` is set meanwhile (a shutdown is not delayed)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


@dataclass(frozen=True)
class GatewayWiring:
    """Where the gateway connects: broker, topic names, client options, instance id.

    ``client_config`` holds the login options in librdkafka keys (``sasl.username``); the
    keywords of :func:`hub.kafka.clients.client_options` are accepted and renamed.
    """

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

    def clients(self) -> GatewayKafka:
        """The instance's librdkafka clients (all built in ``hub/kafka/``)."""
        return GatewayKafka(self.bootstrap, self.group_id, self.transactional_id,
                            librdkafka_options(self.client_config))  # fmt: skip


@dataclass
class GatewayStats:
    """Counts since start, for logs and tests."""

    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    retries: int = 0
    producers_renewed: int = 0


class GatewayFenced(HubError, RuntimeError):
    """A newer producer took this instance's transactional id: this gateway stops."""

    def __init__(self, transactional_id: str, detail: str) -> None:
        self.transactional_id = transactional_id
        super().__init__(
            f"The gateway with transactional id {transactional_id!r} was fenced by a newer "
            f"producer with the same id ({detail}); it stops so as not to fence that one back.",
            fix="give every running gateway its own KCR_GATEWAY_INSTANCE; a restarted gateway "
            "takes over from its predecessor by itself.",
        )


@dataclass(frozen=True)
class _Failed:
    """A judged batch whose transaction did not land (aborted) or may have (outcome unknown)."""

    judged: Judged
    unknown: bool


class Gateway:
    """Reads every ingress topic and writes each record to the log or the dead-letter topic."""

    def __init__(
        self,
        wiring: GatewayWiring,
        codec: EventCodec,
        organisations: OrganisationRegistry,
        policy: GatewayPolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
        clients: GatewayClients | None = None,
    ) -> None:
        """Prepare a gateway; nothing connects until :meth:`run` (``clients``: librdkafka's)."""
        self.wiring = wiring
        self.codec = codec
        self.organisations = organisations
        self.policy = policy or GatewayPolicy()
        self.clock = clock
        self.clients: GatewayClients = clients or wiring.clients()
        self.stats = GatewayStats()
        self.seen = DedupeWindow(self.policy.dedupe_window, self.policy.dedupe_max_ids)
        self.owners = OwnershipBook()
        self.judge = Judge(codec, organisations, self.policy, wiring.names, self._topic_names)
        self._consumer: IngressConsumer | None = None
        self._producer: TransactionalWriter | None = None

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Process batches until ``stop`` is set, then finish the batch in hand and close.

        Raises :class:`GatewayFenced` when a newer producer takes the instance's id.
        """
        consumer = self._consumer = self.clients.consumer()
        try:
            producer = await self._new_producer(stop)
            if producer is None:
                return
            await self.rebuild_dedupe_window()
            await self.rebuild_ownership(producer)
            await consumer.subscribe(self.wiring.names.ingress_pattern)
            _log.info("gateway.started", group=self.wiring.group_id, dedupe_ids=len(self.seen),
                      owners=len(self.owners))  # fmt: skip
            if ready is not None:
                ready.set()
            await self._serve(stop, consumer, producer)
        except ProducerFenced as error:
            _log.error("gateway.fenced", transactional_id=self.wiring.transactional_id,
                       error=str(error))  # fmt: skip
            raise GatewayFenced(self.wiring.transactional_id, error.detail) from error
        finally:
            await consumer.close()
            if self._producer is not None:
                await self._producer.close()
            _log.info("gateway.stopped", accepted=self.stats.accepted, rejected=self.stats.rejected)

    async def _serve(
        self, stop: asyncio.Event, consumer: IngressConsumer, producer: TransactionalWriter
    ) -> None:
        failures = 0
        while not stop.is_set():
            records = await consumer.take(
                self.policy.batch_max_records, self.policy.poll_timeout_ms / 1000
            )
            if not records:
                continue
            batch = Batch.of(records, await consumer.group_metadata())
            failed = await self._process(consumer, producer, batch)
            if failed is None:
                failures = 0
                continue
            failures += 1
            await _pause(stop, self._backoff(failures))
            if failed.unknown:
                renewed = await self._renewed(stop)
                if renewed is None:
                    return
                producer = renewed
                if await self._resume_from_committed(consumer, batch):
                    self._settle(failed.judged)

    def _backoff(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed tries of one batch in a row."""
        first, longest = self.policy.retry_pause, self.policy.retry_pause_max
        doubled: timedelta = first * (1 << min(failures - 1, 20))
        return min(doubled, longest).total_seconds()

    async def rebuild_dedupe_window(self) -> None:
        """Remember the ids the log accepted within the window, from its records' headers."""
        since = self.clock() - self.policy.dedupe_window
        history = self.clients.history(self._log_topics(), int(since.timestamp() * 1000))
        await remember_logged(self.seen, history)

    async def rebuild_ownership(self, producer: TransactionalWriter) -> None:
        """Read the ownership topic back (not the log), then forget owners past the retention."""
        topic = self.wiring.names.ownership
        self.owners = await read_ownership(self.clients.history([topic]))
        await backfill_from_log(producer, topic, self.owners, self._creations, self.clock())
        ended_before = self.clock() - self.policy.ownership_retention
        await forget_expired(producer, topic, self.owners, ended_before)

    def _creations(self) -> AsyncIterator[tuple[EventEnvelope, datetime]]:
        """The log's events that create or end an aggregate, decoded, with their log time."""
        return creations(self.codec, self.clients.history(self._log_topics()))

    def _log_topics(self) -> list[str]:
        return [self.wiring.names.log(family) for family in FAMILIES]

    async def _topic_names(self) -> set[str]:
        return await self._consumer.topics() if self._consumer is not None else set()

    async def _process(
        self, consumer: IngressConsumer, producer: TransactionalWriter, batch: Batch
    ) -> _Failed | None:
        """Judge and commit one batch; return it as failed if its transaction did not land.

        None means the batch is done with: committed (and settled), or rewound unsent on
        schema-registry or metadata trouble. An aborted batch is rewound here; one with an unknown
        outcome counts only if the committed offsets then show it landed after all.
        """
        try:
            judged = await self.judge.batch(batch.records, self.clock(), self.seen, self.owners)
        except (RegistryUnavailable, KafkaUnavailable) as error:
            await self._rewind(consumer, batch, error)
            return None
        try:
            await self._commit(producer, judged.outputs, batch)
        except ProducerFenced:
            raise
        except (TransactionAbortable, TransactionFatal) as error:
            unknown = isinstance(error, TransactionFatal)
            self.stats.retries += 1
            _log.warning("gateway.batch_failed", error=str(error), records=len(batch),
                         outcome="unknown" if unknown else "aborted")  # fmt: skip
            if not unknown:
                await consumer.rewind(batch.starts)
            return _Failed(judged, unknown)
        self._settle(judged)
        return None

    async def _commit(
        self, producer: TransactionalWriter, outputs: list[OutRecord], batch: Batch
    ) -> None:
        """Write ``outputs`` and the batch's next offsets in one transaction, all or nothing."""
        await write_transaction(producer, outputs, batch.ends, batch.group_metadata)

    def _settle(self, judged: Judged) -> None:
        """Remember a landed batch's ids (a resend is then a duplicate) and count its verdicts."""
        for key in judged.keys:
            self.seen.remember(key, judged.at)
        judged.owners.settle()
        self._count(judged.verdicts)

    async def _rewind(self, consumer: IngressConsumer, batch: Batch, error: Exception) -> None:
        """Read the batch again after a pause (nothing of it was sent)."""
        self.stats.retries += 1
        _log.warning("gateway.batch_retry", error=repr(error), records=len(batch))
        await consumer.rewind(batch.starts)
        await asyncio.sleep(self.policy.retry_pause.total_seconds())

    async def _renewed(self, stop: asyncio.Event) -> TransactionalWriter | None:
        """Replace the producer after a fatal error, retrying until the broker answers.

        A new producer with the same transactional id gets a new epoch: the broker settles
        whatever the old one left open. None when ``stop`` was set before one was ready.
        """
        if self._producer is not None:
            await self._producer.close()
            self._producer = None
        renewed = await self._new_producer(stop)
        if renewed is not None:
            self.stats.producers_renewed += 1
            _log.info("gateway.producer_renewed", renewed=self.stats.producers_renewed)
        return renewed

    async def _new_producer(self, stop: asyncio.Event) -> TransactionalWriter | None:
        """A producer with its transactions initialised, tried until the broker answers.

        Only a broker that does not answer (in time) is waited out; a refusal (say, no right to
        the transactional id) raises.
        """
        while not stop.is_set():
            try:
                self._producer = await self.clients.producer()
            except (TransactionRetriable, KafkaUnavailable) as error:
                _log.warning("gateway.producer_failed", error=str(error))
                await _pause(stop, self.policy.retry_pause.total_seconds())
                continue
            return self._producer
        return None

    async def _resume_from_committed(self, consumer: IngressConsumer, batch: Batch) -> bool:
        """Go on from the group's committed offsets once the failed transaction is settled.

        A commit can fail on the client while the broker completed it (a lost answer). The
        renewed producer's start settled that transaction either way, so the committed offsets
        say the truth: past the batch when it landed (reading it again would write every event
        twice), at its start when it was aborted. Returns whether the batch landed: a
        transaction is all or nothing, so one owned partition past its records says so for all.
        """
        owned = await consumer.assignment()
        positions = [position for position in batch.ends if position in owned]
        committed = await self._committed(consumer, positions)
        await consumer.rewind(committed)
        landed_anywhere = False
        for position in positions:
            offset = committed.get(position)
            landed = offset is not None and offset >= batch.ends[position]
            landed_anywhere = landed_anywhere or landed
            _log.info("gateway.resumed", partition=f"{position[0]} [{position[1]}]",
                      offset=offset, landed=landed)  # fmt: skip
        return landed_anywhere

    async def _committed(
        self, consumer: IngressConsumer, positions: list[tuple[str, int]]
    ) -> dict[tuple[str, int], int | None]:
        while True:
            try:
                return await consumer.committed(positions)
            except KafkaUnavailable as error:
                _log.warning("gateway.committed_unknown", error=str(error))
                await asyncio.sleep(self.policy.retry_pause.total_seconds())

    def _count(self, verdicts: list[Verdict]) -> None:
        self.stats.batches += 1
        for verdict in verdicts:
            if isinstance(verdict, Admitted):
                self.stats.accepted += 1
            else:
                reason = verdict.reason.value
                self.stats.rejected[reason] = self.stats.rejected.get(reason, 0) + 1
                _log.info("gateway.rejected", reason=reason, detail=verdict.detail[:300])
