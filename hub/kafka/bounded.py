"""Bounded reads with librdkafka: topics' committed records up to the end seen at the start.

For start-up reads (the gateway's de-duplication window and ownership book): partitions are
assigned (no group membership, nothing committed) from a timestamp or their beginning, and read
in batches up to the last stable offset each had when the read began; records appended later
are left out. A partition is done when a record at or past its end arrives or librdkafka says it
reached the end (a transaction marker, not a record, often sits last). The batches are
librdkafka's own messages, read in the reader's thread, so the event loop waits once per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from hub.kafka.client_thread import ClientThread
from hub.kafka.errors import KafkaUnavailable
from hub.kafka.records import ConsumedRecord, Position
from hub.logs import get_logger

__all__ = ["read_to_end"]

_META_TIMEOUT_S = 15.0
_RETRY_PAUSE_S = 0.5
_log = get_logger("hub.kafka.bounded")


@dataclass
class _Span:
    """Where each unfinished partition ends (exclusive)."""

    ends: dict[Position, int] = field(default_factory=dict)

    def keep(self, messages: list[Message]) -> list[Message]:
        """Return the records before their partition's end; note the partitions now done."""
        kept: list[Message] = []
        for message in messages:
            position = (message.topic() or "", message.partition() or 0)
            end = self.ends.get(position)
            offset = message.offset() or 0
            error = message.error()
            if error is not None:  # the end reached, or news from librdkafka (it retries)
                if error.fatal():
                    raise KafkaException(error)
                if error.code() == KafkaError._PARTITION_EOF and end is not None and offset >= end:
                    del self.ends[position]
                continue
            if end is None:
                continue
            if offset < end:
                kept.append(message)
            if offset >= end - 1:
                del self.ends[position]
        return kept


async def read_to_end(
    bootstrap: str,
    topics: Sequence[str],
    group: str,
    options: Mapping[str, str] | None = None,
    since_ms: int | None = None,
    batch_size: int = 10_000,
) -> AsyncIterator[Sequence[ConsumedRecord]]:
    """Yield batches of ``topics``' committed records (those that exist), in partition order.

    ``group`` is only the consumer's name for the broker's access rules: it joins no group and
    commits nothing. Starts at ``since_ms`` (a timestamp in milliseconds) or the beginning.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "log_level": 3,
            **(options or {}),
        }
    )
    thread = ClientThread("bounded-read")
    try:
        span = await _assigned(thread, consumer, topics, since_ms)
        while span.ends:
            messages = await thread.call(consumer.consume, batch_size, 1.0)
            if not messages:
                await thread.call(_note_positions, consumer, span)
                continue
            records = span.keep(messages)
            if records:
                yield cast("list[ConsumedRecord]", records)
    finally:
        with contextlib.suppress(KafkaException, RuntimeError):
            await thread.call(consumer.close)
        thread.shutdown()


async def _assigned(
    thread: ClientThread, consumer: Consumer, topics: Sequence[str], since_ms: int | None
) -> _Span:
    """:func:`_assign`, asked again while the cluster's answer is not ready yet.

    Just after topics are created (or a broker restarted) offset queries can fail for a moment
    (``NOT_LEADER_FOR_PARTITION``); they are repeated for up to twice the metadata timeout.
    """
    deadline = time.monotonic() + 2 * _META_TIMEOUT_S
    while True:
        try:
            return await thread.call(_assign, consumer, topics, since_ms)
        except (KafkaException, KafkaUnavailable) as error:
            if time.monotonic() > deadline:
                raise
            _log.info("kafka.bounded_read_retry", error=str(error))
            await asyncio.sleep(_RETRY_PAUSE_S)


def _assign(consumer: Consumer, topics: Sequence[str], since_ms: int | None) -> _Span:
    """Assign the existing partitions of ``topics`` at their starts; return where they end."""
    metadata = consumer.list_topics(None, _META_TIMEOUT_S)
    partitions = [
        TopicPartition(topic, partition)
        for topic in topics
        if topic in metadata.topics and metadata.topics[topic].error is None
        for partition in sorted(metadata.topics[topic].partitions)
    ]
    span, starts = _Span(), []
    found = _since(consumer, partitions, since_ms) if since_ms is not None else {}
    for tp in partitions:
        marks = consumer.get_watermark_offsets(tp, _META_TIMEOUT_S)
        if marks is None:
            raise KafkaUnavailable("watermark offsets", f"{tp.topic} [{tp.partition}] timed out")
        low, high = marks
        start = found.get((tp.topic, tp.partition), low)
        start = high if start < 0 else max(start, low)
        if start < high:
            span.ends[(tp.topic, tp.partition)] = high
            starts.append(TopicPartition(tp.topic, tp.partition, start))
    consumer.assign(starts)
    return span


def _since(
    consumer: Consumer, partitions: list[TopicPartition], since_ms: int
) -> dict[Position, int]:
    """The first offset at or after ``since_ms`` per partition (-1: none, start at the end)."""
    if not partitions:
        return {}
    asked = [TopicPartition(tp.topic, tp.partition, since_ms) for tp in partitions]
    found = consumer.offsets_for_times(asked, _META_TIMEOUT_S)
    return {(tp.topic, tp.partition): tp.offset for tp in found}


def _note_positions(consumer: Consumer, span: _Span) -> None:
    """Mark the partitions whose position reached their end (nothing more came for a while)."""
    asked = [TopicPartition(topic, partition) for topic, partition in span.ends]
    for tp in consumer.position(asked):
        end = span.ends.get((tp.topic, tp.partition))
        if end is not None and tp.offset >= end:
            del span.ends[(tp.topic, tp.partition)]
