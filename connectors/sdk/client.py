"""``HubClient``: what an organisation runs to publish events to the hub and read its outbox.

```python
settings = ClientSettings(bootstrap="127.0.0.1:19092", org="vr19",
                          registry_url="http://127.0.0.1:18081")
async with HubClient(settings) as client:
    await client.publish({"type": "nl.kcr.heartbeat.sent", ...})
    async for item in client.outbox():
        ...
```
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from connectors.sdk.errors import (
    ClientNotStarted,
    EventTooLarge,
    NotAddressedToClient,
    PublishFailed,
)
from connectors.sdk.outbox import OutboxReader
from connectors.sdk.settings import ClientSettings
from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec, describe_validation_error
from hub.codec.structured import check_source, to_events
from hub.contracts.events.coordination import CoordinationAcknowledged, CoordinationResponse
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs.coordination import CoordinationRequested
from hub.errors import ConfigurationError
from hub.gateway.policy import GatewayPolicy
from hub.kafka.producers import started_producer

__all__ = ["EventInput", "HubClient"]

EventInput = EventEnvelope | Mapping[str, Any]
"""What :meth:`HubClient.publish` accepts: an event model or a CloudEvents JSON dict."""

_PUBLISHER = "the client's org"


def _revalidated(event: EventEnvelope) -> EventEnvelope:
    """``event`` validated from its fields; :class:`ConfigurationError` names a bad field."""
    try:
        return type(event).model_validate(event.model_dump())
    except ValidationError as error:
        raise ConfigurationError("event", describe_validation_error(error)) from error


class HubClient:
    """One organisation's connection to the hub: publish to its ingress, read its outbox."""

    def __init__(self, settings: ClientSettings) -> None:
        """Prepare a client for ``settings``; nothing connects before ``async with``."""
        self.settings = settings
        self.codec = EventCodec(HttpSchemaRegistry(settings.registry_url))
        self.ingress_topic = settings.topics.ingress(settings.org)
        self.outbox_topic = settings.topics.outbox(settings.org)
        self._producer: AIOKafkaProducer | None = None
        self._failed = False  # a delivery failed: renew the producer before the next send
        self._outbox: OutboxReader | None = None

    async def __aenter__(self) -> Self:
        """Start the idempotent producer."""
        self._producer = await self._new_producer()
        return self

    async def _new_producer(self) -> AIOKafkaProducer:
        return await started_producer(enable_idempotence=True, **self.settings.kafka_options())

    async def _renewed_producer(self, operation: str, event_id: str) -> AIOKafkaProducer:
        """The producer, replaced by a new one (a new producer id) if a delivery failed.

        An idempotent producer whose batch failed is out of step with the broker's sequence
        numbers: every later send would fail with ``OutOfOrderSequenceNumber``. A fresh producer
        starts its sequences anew, so publishing again, as :class:`PublishFailed` advises, works.
        """
        producer = self._started_producer(operation)
        if not self._failed:
            return producer
        await producer.stop()
        try:
            self._producer = await self._new_producer()
        except KafkaError as error:
            raise PublishFailed(self.ingress_topic, event_id, error) from error
        self._failed = False
        return self._producer

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit the outbox item handed out last, then stop the consumer and the producer."""
        await self.close()

    async def close(self) -> None:
        """Close the client (what leaving ``async with`` does); safe to call twice."""
        outbox, producer = self._outbox, self._producer
        self._outbox = self._producer = None
        try:
            if outbox is not None:
                await outbox.close()
        finally:
            if producer is not None:
                await producer.stop()

    def validate(self, event: EventInput) -> EventEnvelope:
        """Return ``event`` as a validated model from this organisation, or raise.

        A dict is CloudEvents structured JSON, judged as ``kcr publish`` judges a file (a missing
        id, time and source are filled in): :class:`hub.errors.ConfigurationError` names the
        field. A model is validated again (``model_copy(update=...)`` and ``model_construct``
        skip validation), so a control character in an id, subject or source is refused here
        too, whatever way the event was built. A source other than the client's org raises
        :class:`hub.codec.structured.SourceMismatch` (field ``event.source``).
        """
        if isinstance(event, EventEnvelope):
            checked = _revalidated(event)
            check_source(checked, self.settings.org, "event", _PUBLISHER)
            return checked
        return to_events(dict(event), self.settings.org, publisher=_PUBLISHER)[0]

    async def publish(self, event: EventInput) -> str:
        """Validate ``event``, send it to the org's ingress topic (key = subject); return its id.

        Returns once the broker has the record; the gateway then admits it to the log or
        dead-letters it. Raises :class:`PublishFailed` when the broker does not accept it.
        """
        return (await self.publish_many([event]))[0]

    async def publish_many(self, events: Iterable[EventInput]) -> list[str]:
        """Validate every event first (nothing is sent if one is bad), then send them in order.

        An event larger than the gateway admits (``KCR_GATEWAY_MAX_RECORD_BYTES``) is bad too:
        :class:`EventTooLarge`, and nothing is sent.
        """
        self._started_producer("publish")
        checked = [self.validate(event) for event in events]
        encoded = [(event, await self.codec.encode(event)) for event in checked]
        limit = GatewayPolicy().max_record_bytes
        for event, value in encoded:
            if len(value) > limit:
                raise EventTooLarge(event.id, len(value), limit)
        if not encoded:
            return []
        producer = await self._renewed_producer("publish", checked[0].id)
        pending = []
        for event, value in encoded:
            try:
                delivery = await producer.send(
                    self.ingress_topic, value, key=event.subject.encode(),
                    headers=to_ce_headers(event),
                )  # fmt: skip
            except KafkaError as error:
                self._failed = True
                raise PublishFailed(self.ingress_topic, event.id, error) from error
            pending.append((event, delivery))
        for event, delivery in pending:
            try:
                await delivery
            except KafkaError as error:
                self._failed = True
                raise PublishFailed(self.ingress_topic, event.id, error) from error
        return [event.id for event in checked]

    def outbox(self) -> OutboxReader:
        """Return the async iterator over this organisation's outbox (``kcr.outbox.<org>``).

        Items are decoded hub models: view records and output events (``hub.contracts.outputs``).
        It reads in the consumer group ``settings.consumer_group``, read-committed, from the
        oldest item the group has not yet finished. Guarantee: an item's offset is committed
        when the caller asks for the next item, and when the client closes; so after a clean
        close or a crash *between* items a restarted connector continues with exactly the next
        item (no loss, no repeat). Only an item the connector was still handling when it died
        (it had not asked for the next one) is delivered again: at-least-once for that one item,
        so acting on an item should be idempotent (the outputs' ids are deterministic). An item
        that cannot be decoded is logged and skipped. Every call returns the same reader.
        """
        self._started_producer("outbox")
        if self._outbox is None:
            self._outbox = OutboxReader(
                self.outbox_topic,
                self.settings.consumer_group,
                self.codec,
                self.settings.kafka_options(),
            )
        return self._outbox

    async def acknowledge(
        self,
        request: CoordinationRequested,
        response: CoordinationResponse | str = CoordinationResponse.NOTED,
        note: str = "",
    ) -> str:
        """Publish ``nl.kcr.coordination.acknowledged`` for ``request``; return the event id.

        The id is the same for the same request, org and response, so acknowledging twice (a
        restarted connector) is dropped by the gateway as a duplicate. Raises
        :class:`NotAddressedToClient` when the request is not addressed to this organisation.
        """
        org = self.settings.org
        if org not in request.recipients:
            raise NotAddressedToClient(request.data.request_id, org, request.recipients)
        answer = CoordinationResponse(response)
        request_id = request.data.request_id
        ack = CoordinationAcknowledged.model_validate(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kcr:{org}:ack:{request_id}:{answer}")),
                "source": org,
                "subject": request_id,
                "time": datetime.now(UTC),
                "tlp": request.tlp,
                "recipients": tuple(r for r in request.recipients if r != org),
                "correlationid": request.correlationid,
                "causationid": request.id,
                "data": {"request_id": request_id, "response": answer, "note": note},
            }
        )
        return await self.publish(ack)

    def _started_producer(self, operation: str) -> AIOKafkaProducer:
        if self._producer is None:
            raise ClientNotStarted(operation)
        return self._producer
