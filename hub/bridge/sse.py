"""Server-sent events of an organisation's outbox topic, resumable with ``Last-Event-ID``.

Each item's ``id`` is its position in the topic after this item: the last delivered offset of
every partition seen so far, ``<partition>-<offset>`` joined by commas (``0-41`` for a
one-partition outbox, ``0-41,1-7`` for two). A client that reconnects with that id as
``Last-Event-ID`` resumes at offset 42 of partition 0 and 8 of partition 1: nothing lost and
nothing repeated; partitions the id does not name start at their beginning. Without an id the
stream starts at the beginning of the outbox. ``event:`` is the item's CloudEvents type (or the
model name for a non-event record), ``data:`` its JSON; a comment line keeps idle connections
alive.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from hub.bridge.problems import BridgeProblem, FieldError
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import to_cloudevent_json
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import CodecError
from hub.kafka.aio import AIOKafkaConsumer, Record, TopicPartition
from hub.kafka.reading import bounded_consumer, partitions_of

__all__ = [
    "EVENT_ID_PATTERN",
    "OutboxSource",
    "format_event_id",
    "item_json",
    "parse_event_id",
    "sse_message",
    "stream_outbox",
]

KEEPALIVE = b": keep-alive\n\n"


EVENT_ID_PATTERN = (
    r"^[ \t]*([0-9]{1,18}-[0-9]{1,18}[ \t]*(,[ \t]*[0-9]{1,18}-[0-9]{1,18}[ \t]*)*)?$"
)
"""What :func:`parse_event_id` reads: ``<partition>-<offset>`` pairs (ASCII digits) joined by
commas, spaces and tabs around them allowed; empty means from the beginning."""
_EVENT_ID = re.compile(EVENT_ID_PATTERN)


def parse_event_id(text: str) -> dict[int, int]:
    """Return partition → last delivered offset of ``<p>-<o>[,<p>-<o>...]``; 400 if malformed."""
    if _EVENT_ID.fullmatch(text) is None:
        error = FieldError(
            field="Last-Event-ID",
            message=f"{text[:100]!r} is not <partition>-<offset>[,<partition>-<offset>...]",
            fix="send the id of the last event received, as it was sent.",
        )
        raise BridgeProblem(400, "bad-last-event-id", "Last-Event-ID is malformed.", [error])
    positions: dict[int, int] = {}
    for part in filter(None, (piece.strip(" \t") for piece in text.split(","))):
        partition, _, offset = part.partition("-")
        positions[int(partition)] = int(offset)
    return positions


def format_event_id(positions: Mapping[int, int]) -> str:
    """The SSE id of ``positions`` (partition → last delivered offset), partitions in order."""
    return ",".join(f"{partition}-{offset}" for partition, offset in sorted(positions.items()))


def item_json(item: BaseModel) -> tuple[str, dict[str, Any]]:
    """The SSE event name and the JSON body of an outbox item (CloudEvents JSON for events)."""
    if isinstance(item, EventEnvelope):
        return item.type, to_cloudevent_json(item)
    return type(item).__name__, item.model_dump(mode="json")


def sse_message(event_id: str, event: str, data: Mapping[str, Any]) -> bytes:
    """One SSE message: ``id``, ``event`` and single-line ``data`` JSON."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event}\ndata: {body}\n\n".encode()


async def _decoded(codec: EventCodec, record: Record) -> tuple[str, Any]:
    try:
        return item_json(await codec.decode(record.value))
    except CodecError as error:
        return "undecodable", {"reason": error.reason, "detail": error.message}


@dataclass(frozen=True)
class OutboxSource:
    """Where an outbox stream reads: broker, topic, codec, client options, keep-alive period."""

    bootstrap: str
    topic: str
    codec: EventCodec
    client: Mapping[str, Any] = field(default_factory=dict)
    keepalive_s: float = 15.0

    async def partitions(self) -> list[TopicPartition]:
        """The topic's partitions (empty if the topic does not exist)."""
        return await partitions_of(self.bootstrap, [self.topic], self.client)


async def stream_outbox(
    source: OutboxSource, partitions: list[TopicPartition], resume: Mapping[int, int]
) -> AsyncIterator[bytes]:
    """Yield SSE messages of ``partitions`` after the ``resume`` positions, forever."""
    consumer = bounded_consumer(source.bootstrap, source.client)
    await consumer.start()
    try:
        positions = await _seek(consumer, partitions, resume)
        wait_ms = int(source.keepalive_s * 1000)
        while True:
            batch = await consumer.getmany(timeout_ms=wait_ms, max_records=500)
            if not batch:
                yield KEEPALIVE
            for tp, records in sorted(batch.items(), key=lambda item: item[0].partition):
                for record in records:
                    positions[tp.partition] = record.offset
                    name, data = await _decoded(source.codec, record)
                    yield sse_message(format_event_id(positions), name, data)
    finally:
        await consumer.stop()


async def _seek(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], resume: Mapping[int, int]
) -> dict[int, int]:
    consumer.assign(partitions)
    beginnings = await consumer.beginning_offsets(partitions)
    for tp in partitions:
        start = resume[tp.partition] + 1 if tp.partition in resume else beginnings[tp]
        consumer.seek(tp, max(start, beginnings[tp]))
    known = {tp.partition for tp in partitions}
    return {partition: offset for partition, offset in resume.items() if partition in known}
