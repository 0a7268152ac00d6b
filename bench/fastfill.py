"""Fast benchmark data: realistic events encoded once, then stamped with new ids by the million.

Building a million pydantic events takes longer than the benchmark may run, so a pool of
realistic events (every partner family, 25 regions) is turned into Avro records once; each
record written is a pool record with a fresh id (and ingestion stamp), encoded with fastavro
against the registered schema and framed with its registry id exactly as the codec frames it.
Records go out through librdkafka (confluent-kafka), whose producer is not what is measured.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import fastavro
from confluent_kafka import KafkaError, Message, Producer

from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.codec.wire import pack
from hub.contracts.avro_schema import avro_schema_for, to_avro_record
from hub.contracts.events.envelope import EventEnvelope

__all__ = ["EncodedEvent", "EventPool", "fast_producer", "now_utc", "produce"]

_POOL = 5000


@dataclass(frozen=True)
class EncodedEvent:
    """One event as it goes onto a topic: where it belongs, its key, value and headers."""

    family: str
    source: str
    key: bytes
    value: bytes
    headers: list[tuple[str, str | bytes | None]]


@dataclass(frozen=True)
class _Template:
    event: EventEnvelope
    record: dict[str, Any]
    schema: Any
    schema_id: int
    headers: list[tuple[str, str | bytes | None]]


class EventPool:
    """Realistic events, encoded at fastavro speed with a new id each (see the module doc)."""

    def __init__(self, codec: EventCodec, templates: list[_Template]) -> None:
        """Use :meth:`build`."""
        self.codec = codec  # the codec that registered the pool's schemas
        self._templates = templates

    @classmethod
    async def build(
        cls, codec: EventCodec, events: Iterator[EventEnvelope], size: int = _POOL
    ) -> EventPool:
        """Take ``size`` events from ``events`` as the pool; register their schemas."""
        await codec.register_all()
        parsed: dict[type, Any] = {}
        templates = []
        for _, event in zip(range(size), events, strict=False):
            model = type(event)
            if model not in parsed:
                parsed[model] = fastavro.parse_schema(avro_schema_for(model))
            headers: list[tuple[str, str | bytes | None]] = [
                (k, v) for k, v in to_ce_headers(event) if k != "ce_id"
            ]
            templates.append(
                _Template(
                    event,
                    to_avro_record(event),
                    parsed[model],
                    await codec.schema_id(model),
                    headers,
                )
            )
        return cls(codec, templates)

    def encoded(
        self, count: int, seed: int = 0, ingested_at: datetime | None = None
    ) -> Iterator[EncodedEvent]:
        """Yield ``count`` events cycling through the pool, each with a unique id.

        ``ingested_at``: stamp them as the gateway would (for a ready-made log); else left
        unstamped, as a partner sends them to its ingress. Each template is encoded once with
        a placeholder id; an id is a 36-character string, so every record is that encoding
        with the placeholder's bytes replaced by its own id (the same bytes fastavro writes).
        """
        framed = [self._split(template, ingested_at) for template in self._templates]
        for n in range(count):
            template = self._templates[n % len(framed)]
            before, after = framed[n % len(framed)]
            event_id = _uuid4_text(seed, n)
            yield EncodedEvent(
                template.event.family,
                template.event.source,
                template.event.subject.encode(),
                before + event_id + after,
                [("ce_id", event_id), *template.headers],
            )

    @staticmethod
    def _split(template: _Template, stamp: datetime | None) -> tuple[bytes, bytes]:
        """The template's framed value around its id: (bytes before it, bytes after it)."""
        record = {**template.record, "id": _PLACEHOLDER, "ingested_at": stamp}
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, template.schema, record)
        value = pack(template.schema_id, buffer.getvalue())
        placeholder = _PLACEHOLDER.encode()
        if value.count(placeholder) != 1:
            raise ValueError(f"the id placeholder is not once in a {template.event.type} record")
        before, after = value.split(placeholder)
        return before, after


def _uuid4_text(seed: int, n: int) -> bytes:
    """A version-4 UUID string, unique per (seed < 4096, n < 2**60), made without ``uuid``."""
    h = f"{(seed << 64) | n:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}".encode()


_PLACEHOLDER = "5f0c7d3e-9a41-4b7e-8c2d-6e1f0a9b3c57"
"""A version-4 UUID string that no pool event carries (their ids are replaced by it)."""


def fast_producer(bootstrap: str) -> Producer:
    """A librdkafka producer tuned for bulk loading (large batches, acks from the leader)."""
    return Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 20,
            "batch.size": 1 << 20,
            "queue.buffering.max.messages": 500_000,
            "acks": "1",
            "enable.idempotence": False,
            "partitioner": "murmur2_random",  # the Java and aiokafka partitioner
            "log_level": 0,
        }
    )


def produce(
    producer: Producer,
    topic: str,
    value: bytes,
    key: bytes,
    headers: Sequence[tuple[str, str | bytes | None]],
    on_delivery: Callable[[KafkaError | None, Message], None] | None,
) -> None:
    """Produce one record, waiting for room when librdkafka's local queue is full."""
    while True:
        try:
            producer.produce(topic, value, key, headers=list(headers), on_delivery=on_delivery)
            return
        except BufferError:  # let deliveries drain the queue
            producer.poll(0.05)


def now_utc() -> datetime:
    """The ingestion stamp of a ready-made log."""
    return datetime.now(UTC)
