"""Read what the hub published: the latest record per key of a view topic, the signal history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from hub.codec.serde import EventCodec
from hub.contracts.outputs import EscalationEvent, EscalationResolved
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end

__all__ = ["active_signals", "latest_by_key", "read_topic", "read_with_tombstones"]


async def read_topic(
    bootstrap: str, topic: str, codec: EventCodec, client_config: Mapping[str, Any] | None = None
) -> list[tuple[str, BaseModel]]:
    """Return every (key, decoded record) of ``topic`` up to its current end, in order."""
    items = await read_with_tombstones(bootstrap, topic, codec, client_config)
    return [(key, item) for key, item in items if item is not None]


async def read_with_tombstones(
    bootstrap: str, topic: str, codec: EventCodec, client_config: Mapping[str, Any] | None = None
) -> list[tuple[str, BaseModel | None]]:
    """Return every (key, decoded record or None for a tombstone) of ``topic``, in order."""
    consumer = bounded_consumer(bootstrap, client_config)
    await consumer.start()
    items: list[tuple[str, BaseModel | None]] = []
    try:
        partitions = await partitions_of(bootstrap, [topic], client_config)
        async for batch in read_until_end(consumer, partitions):
            for record in batch:
                key = record.key.decode() if record.key else ""
                value = None if record.value is None else await codec.decode(record.value)
                items.append((key, value))
    finally:
        await consumer.stop()
    return items


async def latest_by_key(
    bootstrap: str, topic: str, codec: EventCodec, client_config: Mapping[str, Any] | None = None
) -> dict[str, BaseModel]:
    """Return the latest record per key of a (compacted) view topic; a tombstone deletes its key."""
    latest: dict[str, BaseModel] = {}
    for key, item in await read_with_tombstones(bootstrap, topic, codec, client_config):
        if item is None:
            latest.pop(key, None)
        else:
            latest[key] = item
    return latest


def active_signals(history: list[EscalationEvent]) -> list[EscalationEvent]:
    """Return the latest event of each signal that is not resolved, oldest first."""
    latest: dict[str, EscalationEvent] = {}
    for event in history:
        latest[event.data.signal_id] = event
    return [e for e in latest.values() if not isinstance(e, EscalationResolved)]
