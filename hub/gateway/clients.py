"""What the gateway asks of its Kafka clients: three small protocols.

The librdkafka adapters in ``hub/kafka/`` (:class:`~hub.kafka.gateway_clients.GatewayKafka`)
provide them on a broker; tests provide fakes that fail at chosen calls, so the gateway's
transaction and retry logic runs in milliseconds without one. Failures are the classes of
:mod:`hub.kafka.errors`: a transactional call raises
:class:`~hub.kafka.errors.TransactionError` subclasses, a metadata or offset query
:class:`~hub.kafka.errors.KafkaUnavailable`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from typing import Protocol

from hub.kafka.records import ConsumedRecord, OutRecord, Position

__all__ = ["GatewayClients", "IngressConsumer", "TransactionalWriter"]


class IngressConsumer(Protocol):
    """A read-committed member of the gateway's group; its offsets go in the transactions."""

    async def subscribe(self, pattern: str) -> None:
        """Join the group for every topic matching ``pattern``."""

    async def take(self, max_records: int, timeout: float) -> Sequence[ConsumedRecord]:
        """The next batch, in partition order; empty if none came within ``timeout`` s."""

    async def assignment(self) -> set[Position]:
        """The partitions this member owns now."""

    async def committed(self, positions: Collection[Position]) -> dict[Position, int | None]:
        """The group's committed offsets of ``positions`` (None: nothing committed)."""

    async def rewind(self, offsets: Mapping[Position, int | None]) -> None:
        """Read the owned ones of these partitions again from ``offsets`` (None: beginning)."""

    async def group_metadata(self) -> object:
        """The group generation that offsets sent now belong to."""

    async def topics(self) -> set[str]:
        """The cluster's topic names."""

    async def close(self) -> None:
        """Leave the group."""


class TransactionalWriter(Protocol):
    """A producer with the instance's transactional id, one transaction at a time."""

    async def begin(self) -> None:
        """Start a transaction."""

    async def produce(self, records: Sequence[OutRecord]) -> None:
        """Queue ``records`` in the open transaction."""

    async def send_offsets(self, offsets: Mapping[Position, int], group_metadata: object) -> None:
        """Add the group's next offsets to the open transaction."""

    async def commit(self) -> None:
        """Commit the open transaction once every record in it is acknowledged."""

    async def abort(self) -> None:
        """Abort the open transaction."""

    async def close(self) -> None:
        """Let go of the producer."""


class GatewayClients(Protocol):
    """Where the gateway gets its clients (a new producer after a fatal error)."""

    def consumer(self) -> IngressConsumer:
        """The ingress consumer (not subscribed yet)."""

    async def producer(self) -> TransactionalWriter:
        """A new producer, its transactions initialised (which fences any older one)."""

    def history(
        self, topics: Sequence[str], since_ms: int | None = None
    ) -> AsyncIterator[Sequence[ConsumedRecord]]:
        """Batches of ``topics``' committed records up to their end now (from ``since_ms``)."""
