"""The processors' keyed state on a compacted topic: read whole at start, created if missing.

The processors keep their state as keyed entries (:mod:`hub.processing.keyed_state`) on one
compacted, single-partition topic (``<prefix>-processors-projector-changelog``, the name the
Faust table that held it before used, so a state saved then is read now). Entries are written
through the processors' librdkafka producer; this module reads them back at start with one
librdkafka consumer in large batches, up to the end the topic had when the read began. Faust's
table recovery took ~45 s for the 40,000 entries of 20,000 active incidents on the 2-core
machine (its per-record stream); this read takes about a second.

Keys are the JSON strings Faust's table wrote (``json.dumps(key)``), values the entries' bytes;
a record without a value (a tombstone) deletes its key.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

__all__ = ["StateTopic", "state_key"]

_BATCH = 10_000
_TIMEOUT = 15.0


def state_key(key: str) -> bytes:
    """The record key of entry ``key`` (JSON, as Faust's table wrote it)."""
    return json.dumps(key).encode()


class StateTopic:
    """Where the processors' entries are kept; :meth:`read` returns them all."""

    def __init__(
        self,
        bootstrap: str,
        name: str,
        options: Mapping[str, str] | None = None,
        group: str | None = None,
    ):
        """Name the topic and how to reach it.

        ``options`` are librdkafka settings (the login); ``group`` the reader's group id, one
        the login may use (it joins and commits nothing).
        """
        self.bootstrap = bootstrap
        self.name = name
        self.options = dict(options or {})
        self.group = group or f"{name}-reader"

    async def ensure(self, replication: int, configs: Mapping[str, str]) -> bool:
        """Create the topic (compacted, one partition) unless it exists; True if created."""
        return await asyncio.to_thread(self._ensure, replication, configs)

    def _ensure(self, replication: int, configs: Mapping[str, str]) -> bool:
        admin = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0, **self.options})
        if self.name in admin.list_topics(timeout=_TIMEOUT).topics:
            return False
        topic = NewTopic(
            self.name,
            num_partitions=1,
            replication_factor=replication,
            config={"cleanup.policy": "compact", **configs},
        )
        try:
            admin.create_topics([topic], operation_timeout=_TIMEOUT)[self.name].result(_TIMEOUT)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
            return False
        return True

    async def read(self) -> dict[str, bytes]:
        """Return every entry the topic holds (its end as the read began), by key."""
        return await asyncio.to_thread(self._read)

    def _read(self) -> dict[str, bytes]:
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": self.group,  # never joined nor committed: assigned
                "enable.auto.commit": False,
                "enable.partition.eof": True,
                "isolation.level": "read_committed",
                "queued.max.messages.kbytes": 65536,
                "log_level": 3,
                **self.options,
            }
        )
        try:
            low, high = _watermarks(consumer, TopicPartition(self.name, 0))
            entries: dict[str, bytes] = {}
            if high <= low:
                return entries
            consumer.assign([TopicPartition(self.name, 0, low)])
            position = low
            while position < high:
                for message in consumer.consume(_BATCH, 1.0):
                    error = message.error()
                    if error is not None:
                        if error.code() == KafkaError._PARTITION_EOF:
                            position = high
                            break
                        raise KafkaException(error)
                    key, value = json.loads(message.key() or b'""'), message.value()
                    if value is None:
                        entries.pop(key, None)
                    else:
                        entries[key] = value
                    position = (message.offset() or 0) + 1
            return entries
        finally:
            consumer.close()


def _watermarks(consumer: Consumer, partition: TopicPartition) -> tuple[int, int]:
    """The partition's first and next offsets; a topic just created may need a few seconds."""
    deadline = time.monotonic() + _TIMEOUT
    while True:
        try:
            low, high = consumer.get_watermark_offsets(partition, timeout=_TIMEOUT)
            return int(low), int(high)
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # no leader yet
