"""Read history with librdkafka: committed records of given partitions, bounded, in batches.

The reader of the past: ``kcr replay`` and ``--rebuild``, ``kcr export``, the report's log read,
the worker's rebuild and its gap reads, the gateway's start-up reads (its de-duplication
window and ownership book), and the processors' saved state at start. Partitions are assigned
(no group membership, nothing committed) from a first offset each, and read up to an end
fixed beforehand (by default the end offsets they had when the read began, the last stable
offsets: records appended later are left out and an open transaction holds nothing up),
read-committed: aborted records and transaction markers never come out. Records of one
partition come in offset order; partitions interleave as the brokers' fetches return them (the
tick barrier orders what a replay applies).

librdkafka fetches ahead in its own threads (up to :data:`PREFETCH_KB` queued); the reader's
blocking calls run one after the other in a thread of its own
(:class:`~hub.kafka.client_thread.ClientThread`, also when a caller gave up waiting), so the
event loop waits once per batch of up to ``batch_size`` records, never per record. Batches are
librdkafka's own ``Message`` objects, seen as :class:`~hub.kafka.records.ConsumedRecord`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from typing import TypeAlias, cast

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from hub.kafka.client_thread import ClientThread
from hub.kafka.errors import KafkaUnavailable, kafka_unavailable
from hub.kafka.librdkafka_config import consumer_config
from hub.kafka.records import ConsumedRecord, Position
from hub.logs import get_logger

__all__ = ["PREFETCH_KB", "HistoryReader", "Span", "read_topics"]

Span: TypeAlias = dict[Position, tuple[int, int]]
"""Per partition, the offsets to read: ``(first, end)``, the end exclusive."""

PREFETCH_KB = 32768
"""How much librdkafka fetches ahead of the reader, at most (KiB, all partitions together)."""
_META_TIMEOUT_S = 15.0
_RETRY_PAUSE_S = 0.5
_WAIT_S = 1.0  # for the first record of a batch; then what librdkafka holds is taken at once
_TRANSIENT = {KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN}  # librdkafka reconnects
_log = get_logger("hub.kafka")


class HistoryReader:
    """A read-committed librdkafka consumer for bounded reads of history, one at a time."""

    def __init__(
        self,
        bootstrap: str,
        options: Mapping[str, str] | None = None,
        name: str = "kcr-history",
        batch_size: int = 10_000,
    ) -> None:
        """Prepare a reader (nothing is fetched yet).

        ``options``: librdkafka settings, e.g. the login from
        :func:`hub.kafka.clients.confluent_options`. ``name`` is only the consumer's group id
        for the broker's access rules: it joins no group and commits nothing.
        """
        self.batch_size = batch_size
        self._thread = ClientThread("kcr-history")
        extra = {"enable.partition.eof": True, "queued.max.messages.kbytes": PREFETCH_KB}
        self._consumer = Consumer(consumer_config(bootstrap, name, options, extra))

    async def topic_names(self) -> list[str]:
        """Return the names of every topic of the cluster, sorted."""
        metadata = await self._thread.call(self._consumer.list_topics, None, _META_TIMEOUT_S)
        return sorted(metadata.topics)

    async def partitions(self, topics: Iterable[str]) -> list[Position]:
        """Return the partitions of those ``topics`` that exist, in the order of ``topics``."""
        metadata = await self._thread.call(self._consumer.list_topics, None, _META_TIMEOUT_S)
        return [
            (topic, partition)
            for topic in topics
            if topic in metadata.topics and metadata.topics[topic].error is None
            for partition in sorted(metadata.topics[topic].partitions)
        ]

    async def span(self, positions: Sequence[Position], since_ms: int | None = None) -> Span:
        """Return what to read of ``positions``, up to the end offsets they have now.

        Each starts at its beginning, or at its first record at or after ``since_ms`` (a
        timestamp in milliseconds; a partition without one has nothing to read). Just after
        topics are created or a broker restarted, offset queries fail for a moment: they are
        asked again for up to 30 s, then :class:`KafkaUnavailable` is raised.
        """
        deadline = time.monotonic() + 2 * _META_TIMEOUT_S
        while True:
            try:
                return await self._thread.call(_span, self._consumer, positions, since_ms)
            except (KafkaException, KafkaUnavailable) as error:
                if time.monotonic() > deadline:
                    if isinstance(error, KafkaUnavailable):
                        raise
                    raise kafka_unavailable("offsets of the history", error) from error
                _log.info("kafka.history_span_retry", error=str(error))
                await asyncio.sleep(_RETRY_PAUSE_S)

    async def read(
        self, span: Mapping[Position, tuple[int, int]]
    ) -> AsyncGenerator[list[ConsumedRecord], None]:
        """Yield batches of the committed records of ``span``, until each partition's end.

        Each partition is read from its first offset to its end (exclusive). Close the
        generator (``contextlib.aclosing``) when leaving early: that releases the partitions.
        """
        ends = {position: end for position, (first, end) in span.items() if first < end}
        if not ends:
            return
        assigned = [TopicPartition(t, p, span[t, p][0]) for t, p in ends]
        await self._thread.call(self._consumer.assign, assigned)
        try:
            while ends:
                messages = await self._thread.call(self._take)
                if not messages:
                    await self._thread.call(_note_positions, self._consumer, ends)
                    continue
                kept = _kept(messages, ends)
                if kept:  # librdkafka's messages have ConsumedRecord's methods
                    yield cast("list[ConsumedRecord]", kept)
        finally:
            await self._thread.call(self._consumer.unassign)

    def _take(self) -> list[Message]:
        """Wait for the first record only, then take what librdkafka already holds.

        (``consume(n, timeout)`` would wait the whole timeout for ``n`` records to gather.)
        """
        first = self._consumer.poll(_WAIT_S)
        if first is None:
            return []
        return [first, *self._consumer.consume(self.batch_size - 1, 0)]

    async def close(self) -> None:
        """Close the consumer (after any call still running) and end the reader's thread."""
        with contextlib.suppress(KafkaException, RuntimeError):
            await self._thread.call(self._consumer.close)
        self._thread.shutdown()


async def read_topics(
    bootstrap: str,
    topics: Sequence[str],
    options: Mapping[str, str] | None = None,
    since_ms: int | None = None,
    name: str = "kcr-history",
) -> AsyncGenerator[list[ConsumedRecord], None]:
    """Yield batches of every committed record of ``topics`` (those that exist).

    From their beginning (or ``since_ms``) to the end offsets they had when the read began;
    ``name`` as in :class:`HistoryReader`. Close the generator (``contextlib.aclosing``) when
    leaving early: that closes the consumer.
    """
    reader = HistoryReader(bootstrap, options, name)
    try:
        span = await reader.span(await reader.partitions(topics), since_ms)
        async with contextlib.aclosing(reader.read(span)) as batches:
            async for batch in batches:
                yield batch
    finally:
        await reader.close()


def _span(consumer: Consumer, positions: Sequence[Position], since_ms: int | None) -> Span:
    """Per partition: (the first offset to read, the end offset now); runs in the thread."""
    found = _since(consumer, positions, since_ms) if since_ms is not None else {}
    span: Span = {}
    for topic, partition in positions:
        marks = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), _META_TIMEOUT_S, False
        )
        if marks is None:
            raise KafkaUnavailable("watermark offsets", f"{topic} [{partition}] timed out")
        low, high = marks
        first = found.get((topic, partition), low)
        span[topic, partition] = (high if first < 0 else max(first, low), high)
    return span


def _since(consumer: Consumer, positions: Sequence[Position], since_ms: int) -> dict[Position, int]:
    """The first offset at or after ``since_ms`` per partition (-1: none, nothing to read)."""
    if not positions:
        return {}
    asked = [TopicPartition(topic, partition, since_ms) for topic, partition in positions]
    found = consumer.offsets_for_times(asked, _META_TIMEOUT_S)
    return {(tp.topic, tp.partition): tp.offset for tp in found}


def _kept(messages: list[Message], ends: dict[Position, int]) -> list[Message]:
    """The records before their partition's end; partitions that reached it leave ``ends``."""
    kept: list[Message] = []
    append = kept.append
    for message in messages:
        position = (message.topic() or "", message.partition() or 0)
        end = ends.get(position)
        offset = message.offset() or 0
        error = message.error()
        if error is not None:
            _check(error)
            if end is not None and offset >= end:  # the end of the partition reached
                del ends[position]
        elif end is not None:
            if offset < end:
                append(message)
            if offset >= end - 1:
                del ends[position]
    return kept


def _check(error: KafkaError) -> None:
    """Let pass the end of a partition and what librdkafka retries itself; raise the rest."""
    if error.code() != KafkaError._PARTITION_EOF and error.code() not in _TRANSIENT:
        raise KafkaException(error)


def _note_positions(consumer: Consumer, ends: dict[Position, int]) -> None:
    """Drop the partitions whose position reached their end (nothing came for a while)."""
    asked = [TopicPartition(topic, partition) for topic, partition in ends]
    for tp in consumer.position(asked):
        if tp.offset >= ends[tp.topic, tp.partition]:
            del ends[tp.topic, tp.partition]
