"""The processors' keyed state on a compacted topic: read whole at start, created if missing.

The processors keep their state as keyed entries (:mod:`hub.processing.keyed_state`) on one
compacted, single-partition topic (``<prefix>-processors-projector-changelog``, the name the
Faust table that held it before used, so a state saved then is read now). Entries are written
through the processors' librdkafka producer; this module reads them back at start with the
history reader (:mod:`hub.kafka.history_reader`) in large batches, up to the end the topic had
when the read began. Faust's
table recovery took ~45 s for the 40,000 entries of 20,000 active incidents on the 2-core
machine (its per-record stream); this read takes about a second.

Keys are the JSON strings Faust's table wrote (``json.dumps(key)``), values the entries' bytes;
a record without a value (a tombstone) deletes its key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from hub.kafka.history_reader import read_topics

__all__ = ["StateTopic", "state_key"]

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
        """Return every entry the topic holds (its end as the read began), by key.

        Read with the history reader (:func:`hub.kafka.history_reader.read_topics`): assigned,
        read-committed, in large batches; a tombstone deletes its key.
        """
        entries: dict[str, bytes] = {}
        batches = read_topics(self.bootstrap, [self.name], self.options, name=self.group)
        async with contextlib.aclosing(batches):
            async for batch in batches:
                for record in batch:
                    key, value = json.loads(record.key() or b'""'), record.value()
                    if value is None:
                        entries.pop(key, None)
                    else:
                        entries[key] = value
        return entries
