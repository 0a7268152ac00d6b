"""Read the log partitions in large batches with librdkafka, for the live processors.

Faust's stream hands a consumer's records to an agent one by one (a task and a few queue hops
per record), and its offset bookkeeping rebuilds an interval tree for every gap that a
transaction marker leaves in a transactional topic: on the gateway's log topics that cost grew
to most of the processors' CPU. The processors therefore read the log topics here, below
Faust: one read-committed librdkafka consumer, assigned (no group membership) at the offsets
the processors' own state says they applied, handing over whole batches. librdkafka fetches
in its own threads; :meth:`LogReader.fetch` waits in a worker thread, so the event loop stays
free.

The offsets the processors have covered are committed to a group of their own
(``<prefix>-processors-log``) only so that operators' lag tools see them; the processors
never read them back (their saved state is the truth).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from hub.kafka.librdkafka_config import consumer_config

__all__ = ["LogReader", "RawRecord", "starts_after"]

Position = tuple[str, int]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One committed log record as read: where it is, and its value."""

    topic: str
    partition: int
    offset: int
    value: bytes


class LogReader:
    """A read-committed batch reader of log partitions, started at given offsets."""

    def __init__(
        self,
        bootstrap: str,
        group: str,
        options: Mapping[str, str] | None = None,
        max_records: int = 5000,
    ) -> None:
        """Prepare a reader whose offsets are reported as ``group`` (nothing is read yet)."""
        self.group = group
        self.max_records = max_records
        extra = {
            "fetch.wait.max.ms": 20,  # a live tick waits for these records: fetch soon
            "queued.max.messages.kbytes": 65536,
        }
        self._consumer = Consumer(consumer_config(bootstrap, group, options, extra))
        self._closed = False

    def assign(self, starts: Mapping[Position, int]) -> None:
        """Read ``starts``' partitions, each from its offset (the first not yet applied)."""
        self._consumer.assign(
            [
                TopicPartition(topic, partition, offset)
                for (topic, partition), offset in starts.items()
            ]
        )

    async def partitions(self, topics: Sequence[str], timeout: float = 15) -> list[Position]:
        """Return the partitions of those ``topics`` that exist (from the cluster's metadata)."""
        metadata = await asyncio.to_thread(self._consumer.list_topics, None, timeout)
        return [
            (topic, partition)
            for topic in topics
            if topic in metadata.topics and metadata.topics[topic].error is None
            for partition in sorted(metadata.topics[topic].partitions)
        ]

    async def fetch(self, timeout: float = 0.25) -> list[RawRecord]:
        """Return the next batch of records (empty when none came within ``timeout`` s)."""
        messages = await asyncio.to_thread(self._take, timeout)
        return [_raw(message) for message in messages if _is_record(message)]

    def _take(self, timeout: float) -> list[Message]:
        """Wait for the first record only, then take what librdkafka already holds.

        (``consume(n, timeout)`` would wait the whole timeout for ``n`` records to gather.)
        """
        first = self._consumer.poll(timeout)
        if first is None:
            return []
        return [first, *self._consumer.consume(self.max_records - 1, 0)]

    def commit(self, applied: Mapping[Position, int]) -> None:
        """Report ``applied`` (the last offset applied per partition) as the group's offsets."""
        if not applied or self._closed:
            return
        offsets = [
            TopicPartition(topic, partition, offset + 1)
            for (topic, partition), offset in applied.items()
        ]
        try:  # monitoring only (the saved state is the truth): do not wait for the broker
            self._consumer.commit(offsets=offsets, asynchronous=True)
        except KafkaException as error:
            if error.args[0].code() != KafkaError._NO_OFFSET:
                raise

    async def close(self) -> None:
        """Leave: no more fetches."""
        if not self._closed:
            self._closed = True
            await asyncio.to_thread(self._consumer.close)


def _is_record(message: Message) -> bool:
    error = message.error()
    if error is None:
        return True
    if error.code() == KafkaError._PARTITION_EOF:
        return False
    raise KafkaException(error)


def _raw(message: Message) -> RawRecord:
    return RawRecord(
        message.topic() or "", message.partition() or 0, message.offset() or 0,
        message.value() or b"",
    )  # fmt: skip


def starts_after(
    applied: Mapping[Position, int], positions: Sequence[Position]
) -> dict[Position, int]:
    """The first offset to read per partition: one past what was applied (else the beginning)."""
    return {position: applied.get(position, -1) + 1 for position in positions}
