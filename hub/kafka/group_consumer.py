"""A read-committed librdkafka group consumer that hands over batches, for the gateway.

Its offsets are never committed by the consumer itself: the caller adds them to its producer's
transaction (:meth:`GroupConsumer.group_metadata` names the group generation they belong to),
so records and offsets land together or not at all. Every blocking call runs in the
consumer's own thread (:class:`~hub.kafka.client_thread.ClientThread`); rebalances happen only
inside :meth:`GroupConsumer.take`, so between two takes the assignment does not change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Mapping, Sequence
from typing import cast

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    TopicPartition,
)

from hub.kafka.client_thread import ClientThread
from hub.kafka.errors import kafka_unavailable
from hub.kafka.librdkafka_config import consumer_config
from hub.kafka.records import ConsumedRecord, Position
from hub.logs import get_logger

__all__ = ["GroupConsumer"]

_log = get_logger("hub.kafka.consumer")


class GroupConsumer:
    """A member of ``group`` reading committed records in batches; offsets go in transactions."""

    def __init__(
        self, bootstrap: str, group: str, options: Mapping[str, str] | None = None
    ) -> None:
        """Create the client (it connects on :meth:`subscribe`)."""
        self.group = group
        extra = {
            "session.timeout.ms": 10000,  # a killed member's partitions move on within 10 s
            "topic.metadata.refresh.interval.ms": 5000,  # new ingress topics within 5 s
        }
        self._consumer = Consumer(consumer_config(bootstrap, group, options, extra))
        self._thread = ClientThread(f"consumer-{group}")

    async def subscribe(self, pattern: str) -> None:
        """Join the group for every topic matching ``pattern`` (a regex starting with ``^``)."""
        await self._thread.call(self._consumer.subscribe, [pattern])

    async def take(self, max_records: int, timeout: float) -> Sequence[ConsumedRecord]:
        """Return the next batch: up to ``max_records``, empty if none came within ``timeout`` s.

        Waits for the first record only, then takes what librdkafka already fetched, so a
        quiet topic's record is handed over at once rather than after ``timeout``.
        """
        messages = await self._thread.call(self._take, max_records, timeout)
        return cast("list[ConsumedRecord]", messages)

    async def assignment(self) -> set[Position]:
        """The partitions this member owns now."""
        owned = await self._thread.call(self._consumer.assignment)
        return {(tp.topic, tp.partition) for tp in owned}

    async def committed(
        self, positions: Collection[Position], timeout: float = 10.0
    ) -> dict[Position, int | None]:
        """The group's committed offsets of ``positions`` (None: nothing committed yet).

        Read committed: an offset in a transaction still in flight is waited for. Raises
        :class:`~hub.kafka.errors.KafkaUnavailable` when the broker does not answer.
        """
        if not positions:
            return {}
        asked = [TopicPartition(topic, partition) for topic, partition in positions]
        try:
            found = await self._thread.call(self._consumer.committed, asked, timeout)
        except KafkaException as error:
            raise kafka_unavailable("committed offsets", error) from error
        return {(tp.topic, tp.partition): tp.offset if tp.offset >= 0 else None for tp in found}

    async def rewind(self, offsets: Mapping[Position, int | None]) -> None:
        """Read the owned ones of these partitions again from ``offsets`` (None: the beginning)."""
        await self._thread.call(self._rewind, offsets)

    async def group_metadata(self) -> object:
        """The group's current generation, for the producer's ``send_offsets``."""
        return await self._thread.call(self._consumer.consumer_group_metadata)

    async def topics(self, timeout: float = 10.0) -> set[str]:
        """The names of the cluster's topics (that this login may see)."""
        try:
            metadata = await self._thread.call(self._consumer.list_topics, None, timeout)
        except KafkaException as error:
            raise kafka_unavailable("topic metadata", error) from error
        return set(metadata.topics)

    async def close(self, timeout: float = 10.0) -> None:
        """Leave the group (its partitions move to the other members) and let go."""
        with contextlib.suppress(TimeoutError, KafkaException, RuntimeError):
            await asyncio.wait_for(self._thread.call(self._consumer.close), timeout)
        self._thread.shutdown()

    def _take(self, max_records: int, timeout: float) -> list[Message]:
        first = self._consumer.poll(timeout)
        if first is None:
            return []
        messages = (
            [first, *self._consumer.consume(max_records - 1, 0)] if max_records > 1 else [first]
        )
        records = [message for message in messages if message.error() is None]
        if len(records) < len(messages):
            _errors([message for message in messages if message.error() is not None])
        return records

    def _rewind(self, offsets: Mapping[Position, int | None]) -> None:
        owned = {(tp.topic, tp.partition) for tp in self._consumer.assignment()}
        for (topic, partition), offset in offsets.items():
            if (topic, partition) in owned:
                start = OFFSET_BEGINNING if offset is None else offset
                self._consumer.seek(TopicPartition(topic, partition, start))


def _errors(messages: list[Message]) -> None:
    """Log the consumer's error events; raise the fatal ones (the consumer cannot go on)."""
    for message in messages:
        error = message.error()
        if error is None or error.code() == KafkaError._PARTITION_EOF:
            continue
        if error.fatal():
            raise KafkaException(error)
        _log.warning("kafka.consumer_error", code=error.name(), error=error.str())
