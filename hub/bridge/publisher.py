"""Publishing validated events to an organisation's ingress topic with an idempotent producer.

Every event is encoded (Avro, Confluent wire format, CloudEvents ``ce_*`` headers) before the
first one is sent, so an encoding problem sends nothing, and neither does an event larger than
the gateway admits (413 naming it, rather than a 202 and a ``too_large`` dead letter).
Sending then waits for every acknowledgement. Should the broker fail in the middle of a batch,
a prefix may be in the topic and the client gets a 503: resending the same batch is safe, as
the gateway drops event ids it has accepted before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from hub.bridge.problems import BridgeProblem, FieldError
from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import RegistryUnavailable
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.gateway.policy import GatewayPolicy
from hub.kafka import aio
from hub.topics.declaration import TopicNames

__all__ = ["IngressPublisher"]


class IngressPublisher:
    """Sends events to ``names.ingress(org)``; :meth:`start` and :meth:`stop` own the producer."""

    def __init__(
        self,
        bootstrap: str,
        names: TopicNames,
        codec: EventCodec,
        client: Mapping[str, Any],
        max_record_bytes: int | None = None,
    ) -> None:
        """Prepare the publisher; events larger than the gateway admits are refused (413).

        ``max_record_bytes`` defaults to the gateway's own limit (``KCR_GATEWAY_MAX_RECORD_BYTES``).
        """
        self.names = names
        self.codec = codec
        self.max_record_bytes = max_record_bytes or GatewayPolicy().max_record_bytes
        self._bootstrap, self._client = bootstrap, dict(client)
        self._producer: aio.AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Create and connect the producer."""
        producer = aio.producer(self._bootstrap, self._client, linger_ms=2)
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
            values = [await self.codec.encode(e) for e in events]
            records = [
                (value, e.subject.encode(), to_ce_headers(e, self.codec.dataschema(value)))
                for e, value in zip(events, values, strict=True)
            ]
            self._refuse_too_large([value for value, _, _ in records])
            sent = [
                await producer.send(topic, value, key=key, headers=headers)
                for value, key, headers in records
            ]
            await asyncio.gather(*sent)
        except (aio.KafkaError, RegistryUnavailable, ConnectionError) as error:
            detail = f"Could not publish to {topic}: {error!r}; resend the same events."
            raise BridgeProblem(503, "kafka-unavailable", detail) from error
        return topic

    def _refuse_too_large(self, values: Sequence[bytes]) -> None:
        """Refuse the batch when an encoded event exceeds what the gateway admits."""
        limit = self.max_record_bytes
        errors = [
            FieldError(
                field=f"event[{index}]",
                message=f"is {len(value)} bytes encoded; the hub admits at most {limit}",
                fix="shorten its texts or split the information over several events",
            )
            for index, value in enumerate(values)
            if len(value) > limit
        ]
        if errors:
            detail = f"{len(errors)} event(s) exceed the hub's record limit of {limit} bytes."
            raise BridgeProblem(413, "event-too-large", detail, errors)
