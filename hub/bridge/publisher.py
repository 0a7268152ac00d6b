"""Publishing validated events to an organisation's ingress topic with an idempotent producer.

Every event is encoded (Avro, Confluent wire format, CloudEvents ``ce_*`` headers) before the
first one is sent, so an encoding problem sends nothing. Sending then waits for every
acknowledgement. Should the broker fail in the middle of a batch, a prefix may be in the topic
and the client gets a 503: resending the same batch is safe, as the gateway drops event ids it
has accepted before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from hub.bridge.problems import BridgeProblem
from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import RegistryUnavailable
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.topics.declaration import TopicNames

__all__ = ["IngressPublisher"]


class IngressPublisher:
    """Sends events to ``names.ingress(org)``; :meth:`start` and :meth:`stop` own the producer."""

    def __init__(
        self, bootstrap: str, names: TopicNames, codec: EventCodec, client: Mapping[str, Any]
    ) -> None:
        self.names = names
        self.codec = codec
        self._options = {"bootstrap_servers": bootstrap, **client}
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Create and connect the producer."""
        producer = AIOKafkaProducer(enable_idempotence=True, linger_ms=2, **self._options)
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        """Flush and close the producer."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish(self, org: str, events: Sequence[EventEnvelope]) -> str:
        """Send ``events`` to ``org``'s ingress topic and return the topic's name."""
        topic = self.names.ingress(org)
        producer = self._producer
        if producer is None:
            raise BridgeProblem(503, "kafka-unavailable", "The bridge is not connected to Kafka.")
        try:
            records = [
                (await self.codec.encode(e), e.subject.encode(), to_ce_headers(e)) for e in events
            ]
            sent = [
                await producer.send(topic, value, key=key, headers=headers)
                for value, key, headers in records
            ]
            await asyncio.gather(*sent)
        except (KafkaError, RegistryUnavailable, ConnectionError) as error:
            detail = f"Could not publish to {topic}: {error!r}; resend the same events."
            raise BridgeProblem(503, "kafka-unavailable", detail) from error
        return topic
