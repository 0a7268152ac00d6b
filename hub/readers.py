"""Read what the hub published: the latest record per key of a view topic, the signal history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from hub.codec.serde import EventCodec
from hub.contracts.outputs import EscalationEvent, EscalationResolved
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end

__all__ = ["active_signals", "latest_by_key", "read_topic"]


async def read_topic(
    bootstrap: str, topic: str, codec: EventCodec, client_config: Mapping[str, Any] | None = None
) -> list[tuple[str, BaseModel]]:
    """Return every (key, decoded record) of ``topic`` up to its current end, in order."""
    consumer = bounded_consumer(bootstrap, client_config)
    await consumer.start()
    items: list[tuple[str, BaseModel]] = []
    try:
        partitions = await partitions_of(bootstrap, [topic], client_config)
        async for batch in read_until_end(consumer, partitions):
            for record in batch:
                if record.value is None:  # a tombstone: nothing to show
                    continue
                key = record.key.decode() if record.key else ""
                items.append((key, await codec.decode(record.value)))
    finally:
        await consumer.stop()
    return items


async def latest_by_key(
    bootstrap: str, topic: str, codec: EventCodec, client_config: Mapping[str, Any] | None = None
) -> dict[str, BaseModel]:
    """Return the latest record per key of a (compacted) view topic."""
    return dict(await read_topic(bootstrap, topic, codec, client_config))


def active_signals(history: list[EscalationEvent]) -> list[EscalationEvent]:
    """Return the latest event of each signal that is not resolved, oldest first."""
    latest: dict[str, EscalationEvent] = {}
    for event in history:
        latest[event.data.signal_id] = event
    return [e for e in latest.values() if not isinstance(e, EscalationResolved)]
