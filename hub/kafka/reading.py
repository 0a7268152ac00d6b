"""Read topics from a start position up to the end offsets seen at the start (bounded reads)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from hub.kafka import aio
from hub.kafka.aio import AIOKafkaConsumer, Record, TopicPartition

__all__ = ["Record", "bounded_consumer", "partitions_of", "read_until_end"]


def bounded_consumer(
    bootstrap: str, client_config: Mapping[str, Any] | None = None
) -> AIOKafkaConsumer:
    """Return a group-less, read-committed consumer for bounded reads (not started)."""
    return aio.consumer(bootstrap, options=client_config, auto_offset_reset="earliest")


async def partitions_of(
    bootstrap: str, topics: Iterable[str], client_config: Mapping[str, Any] | None = None
) -> list[TopicPartition]:
    """Return the partitions of those ``topics`` that exist, asking the cluster's metadata."""
    admin = aio.admin(bootstrap, client_config)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [topic for topic in topics if topic in existing]
        described = await admin.describe_topics(wanted) if wanted else []
    finally:
        await admin.close()
    return [
        TopicPartition(item["topic"], part["partition"])
        for item in described
        for part in sorted(item["partitions"], key=lambda p: p["partition"])
    ]


async def read_until_end(
    consumer: AIOKafkaConsumer,
    partitions: list[TopicPartition],
    since_ms: int | None = None,
    batch_size: int = 5000,
    start_offsets: dict[TopicPartition, int] | None = None,
) -> AsyncIterator[list[Record]]:
    """Yield batches from ``partitions`` to their current end.

    They start at ``start_offsets`` when given, else at ``since_ms`` (a timestamp), else at the
    beginning.
    """
    if not partitions:
        return
    consumer.assign(partitions)
    ends = await consumer.end_offsets(partitions)
    starts = start_offsets or await _start_offsets(consumer, partitions, since_ms)
    pending = {tp for tp in partitions if starts[tp] < ends[tp]}
    for tp in partitions:
        consumer.seek(tp, starts[tp])
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=batch_size)
        records = []
        for tp, items in batch.items():
            records += [r for r in items if r.offset < ends[tp]]
        for tp in list(pending):
            if await consumer.position(tp) >= ends[tp]:
                pending.discard(tp)
        if records:
            yield records


async def _start_offsets(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], since_ms: int | None
) -> dict[TopicPartition, int]:
    beginnings: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
    if since_ms is None:
        return beginnings
    ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    found = await consumer.offsets_for_times(dict.fromkeys(partitions, since_ms))
    return {tp: (found[tp].offset if found.get(tp) else ends[tp]) for tp in partitions}
