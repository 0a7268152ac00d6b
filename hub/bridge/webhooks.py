"""Webhook delivery: follow an organisation's outbox and POST each item, signed, with retries.

One :class:`WebhookDelivery` per configured organisation, in the consumer group
``<prefix>-bridge-webhook-<org>``: its committed offset is the delivery progress, so a
restarted bridge resumes after the last item delivered (or dead-lettered). Each item is POSTed
as JSON (the same body as the SSE ``data``) with ``X-KCR-Timestamp``, ``X-KCR-Signature``
(:mod:`hub.bridge.signing`), ``X-KCR-Event-Id`` and ``X-KCR-Event-Type``. A 2xx answer
delivers it; anything else (or no answer) is retried after base, base·factor, … seconds; after
``max_tries`` the record goes to the hub's dead-letter topic with reason ``webhook_failed``
and the original key, value and headers, and delivery moves on. Delivery is at least once: a
bridge stopped between a POST and its commit POSTs that item again, so receivers de-duplicate
on ``X-KCR-Event-Id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from hub.bridge.config import RetryPolicy, WebhookTarget
from hub.bridge.signing import signed_headers
from hub.bridge.sse import item_json
from hub.codec.serde import EventCodec
from hub.errors import CodecError
from hub.gateway.deadletter import DeadLetter, deadletter_headers
from hub.gateway.reasons import RejectReason
from hub.kafka import aio
from hub.kafka.aio import AIOKafkaProducer, Record
from hub.logs import get_logger
from hub.topics.declaration import TopicNames

__all__ = ["WebhookDelivery", "WebhookWiring"]

_log = get_logger("hub.bridge.webhooks")


@dataclass(frozen=True)
class WebhookWiring:
    """The broker, topic names, codec and client options the deliveries share."""

    bootstrap: str
    names: TopicNames
    codec: EventCodec
    retry: RetryPolicy
    client_config: Mapping[str, Any] = field(default_factory=dict)


class WebhookDelivery:
    """Delivers ``org``'s outbox to ``target`` until stopped."""

    def __init__(self, wiring: WebhookWiring, org: str, target: WebhookTarget) -> None:
        self.wiring, self.org, self.target = wiring, org, target
        self.topic = wiring.names.outbox(org)
        self.delivered = 0
        self.dead_lettered = 0

    @property
    def group_id(self) -> str:
        """The consumer group holding this organisation's delivery progress."""
        return f"{self.wiring.names.prefix}-bridge-webhook-{self.org}"

    async def run(self, stop: asyncio.Event, producer: AIOKafkaProducer) -> None:
        """Follow the outbox and deliver every item until ``stop`` is set."""
        consumer = aio.consumer(
            self.wiring.bootstrap,
            self.topic,
            options=self.wiring.client_config,
            group_id=self.group_id,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            async with httpx.AsyncClient(timeout=self.wiring.retry.timeout_s) as http:
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=100)
                    for tp, records in batch.items():
                        for record in records:
                            if not await self._handle(record, http, producer, stop):
                                return  # stopped mid-retry: not committed, delivered next run
                            await consumer.commit({tp: record.offset + 1})
        finally:
            await consumer.stop()

    async def _handle(
        self,
        record: Record,
        http: httpx.AsyncClient,
        producer: AIOKafkaProducer,
        stop: asyncio.Event,
    ) -> bool:
        try:
            name, data = item_json(await self.wiring.codec.decode(record.value))
        except CodecError as error:
            await self._dead_letter(record, producer, error.reason, error.message)
            return True
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-KCR-Event-Type": name}
        headers["X-KCR-Event-Id"] = str(data.get("id", f"{record.partition}-{record.offset}"))
        last = await self._post_with_retries(http, body, headers, stop)
        if last is None:
            self.delivered += 1
            return True
        if stop.is_set():
            return False
        await self._dead_letter(record, producer, RejectReason.WEBHOOK_FAILED, last)
        return True

    async def _post_with_retries(
        self, http: httpx.AsyncClient, body: bytes, headers: dict[str, str], stop: asyncio.Event
    ) -> str | None:
        """POST until a 2xx; return None when delivered, else the last failure."""
        retry = self.wiring.retry
        failure = "not tried"
        for attempt in range(1, retry.max_tries + 1):
            signed = {**headers, **signed_headers(self.target.secret, body)}
            try:
                response = await http.post(self.target.url, content=body, headers=signed)
                if response.is_success:
                    return None
                failure = f"HTTP {response.status_code} from {self.target.url}"
            except httpx.HTTPError as error:
                failure = f"{type(error).__name__} posting to {self.target.url}: {error}"
            _log.info("bridge.webhook_retry", org=self.org, attempt=attempt, failure=failure)
            if attempt < retry.max_tries:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), retry.delay(attempt))
                if stop.is_set():
                    return failure
        return f"{failure} after {retry.max_tries} tries"

    async def _dead_letter(
        self, record: Record, producer: AIOKafkaProducer, reason: str, detail: str
    ) -> None:
        letter = DeadLetter(
            str(reason), detail, record.topic, record.partition, record.offset, datetime.now(UTC)
        )
        headers = deadletter_headers(list(record.headers), letter)
        await producer.send_and_wait(
            self.wiring.names.deadletter, record.value, key=record.key, headers=headers
        )
        self.dead_lettered += 1
        _log.warning(
            "bridge.webhook_dead_lettered", org=self.org, reason=str(reason), detail=detail
        )
