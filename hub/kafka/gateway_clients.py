"""The gateway's Kafka clients on librdkafka, built in one place from its wiring.

:class:`GatewayKafka` hands the gateway its group consumer, a new transactional producer
(after a fatal error it asks for another) and bounded reads of the log and the ownership topic
(by the history reader), all with the same login options. The gateway sees them only through
its client protocols (:mod:`hub.gateway.clients`), so its retry logic is tested with fakes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

from hub.kafka.group_consumer import GroupConsumer
from hub.kafka.history_reader import read_topics
from hub.kafka.records import ConsumedRecord
from hub.kafka.transactional import TransactionalProducer

__all__ = ["GatewayKafka"]


@dataclass(frozen=True)
class GatewayKafka:
    """Builds one gateway instance's clients: same broker, login, group and transactional id."""

    bootstrap: str
    group: str
    transactional_id: str
    options: Mapping[str, str] = field(default_factory=dict)

    def consumer(self) -> GroupConsumer:
        """A read-committed member of the gateway's group (not subscribed yet)."""
        return GroupConsumer(self.bootstrap, self.group, self.options)

    async def producer(self) -> TransactionalProducer:
        """A producer with the instance's transactional id, its transactions initialised.

        Initialising fences any earlier producer of the id and settles what it left open.
        Raises a :class:`~hub.kafka.errors.TransactionError` when the broker refuses or does
        not answer in time (the producer is closed again).
        """
        producer = TransactionalProducer(self.bootstrap, self.transactional_id, self.options)
        try:
            await producer.init()
        except BaseException:
            await producer.close()
            raise
        return producer

    def history(
        self, topics: Sequence[str], since_ms: int | None = None
    ) -> AsyncIterator[Sequence[ConsumedRecord]]:
        """Batches of ``topics``' committed records up to their current end (from ``since_ms``).

        Read by the history reader (:func:`~hub.kafka.history_reader.read_topics`) under the
        gateway's group name, for the broker's access rules only: it joins no group.
        """
        return read_topics(self.bootstrap, topics, self.options, since_ms, name=self.group)
