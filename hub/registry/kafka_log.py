"""The registry's record log on a compacted, single-partition Kafka topic.

On start the topic is created when missing (``cleanup.policy=compact``, like Confluent's
``_schemas``). Reading takes every record from the beginning up to the end offset captured when
reading starts, with a group-less consumer, so a restart rebuilds exactly the stored state. Each
append is produced with ``acks=all`` on an idempotent producer and awaited before the change is
applied or answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from hub.kafka import aio
from hub.kafka.aio import KafkaError, TopicPartition
from hub.logs import get_logger
from hub.registry.errors import StorageFailure
from hub.registry.records import Record, from_kafka, to_kafka
from hub.topics.admin import apply_topics
from hub.topics.declaration import SCHEMAS, TopicSpec

__all__ = ["KafkaRecordLog", "schemas_topic_spec"]

_log = get_logger(__name__)
_READ_TIMEOUT_S = 120.0
_METADATA_ATTEMPTS = 150
_METADATA_PAUSE_S = 0.2
_BROKER_FIX = "check that the broker at KCR_BOOTSTRAP runs (`kcr broker status`)."


def schemas_topic_spec(topic: str = SCHEMAS) -> TopicSpec:
    """How the registry's topic must look: one partition, compacted."""
    return TopicSpec(topic, "schema registry storage", cleanup_policy="compact")


class KafkaRecordLog:
    """Registry records in ``topic`` on the cluster at ``bootstrap``; call :meth:`start` first."""

    def __init__(
        self,
        bootstrap: str,
        topic: str = SCHEMAS,
        client_config: Mapping[str, Any] | None = None,
        admin_config: Mapping[str, str] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.client_config = dict(client_config or {})  # aiokafka options (SASL login)
        self.admin_config = dict(admin_config or {})  # confluent-kafka options, to create it
        self._producer: Any = None

    async def start(self) -> None:
        """Create the topic if it is missing and connect the producer."""
        try:
            report = await asyncio.to_thread(
                apply_topics, self.bootstrap, [schemas_topic_spec(self.topic)], self.admin_config
            )
        except Exception as error:  # confluent-kafka raises KafkaException and plain errors
            raise StorageFailure(
                self.topic, f"could not be created: {error}", fix=_BROKER_FIX
            ) from error
        for problem in report.differences.get(self.topic, []):
            _log.warning("registry.topic_differs", topic=self.topic, difference=problem)
        producer = aio.producer(
            self.bootstrap, self.client_config, acks="all", client_id="kcr-schema-registry"
        )
        try:
            await producer.start()
        except KafkaError as error:
            await producer.stop()
            raise StorageFailure(self.topic, f"no producer: {error}", fix=_BROKER_FIX) from error
        self._producer = producer

    async def read_all(self) -> list[Record]:
        """Every record from the beginning up to the end offset as it is now."""
        consumer = aio.consumer(
            self.bootstrap, options=self.client_config, client_id="kcr-schema-registry-reader"
        )
        try:
            await consumer.start()
            async with asyncio.timeout(_READ_TIMEOUT_S):
                return await self._read(consumer)
        except (KafkaError, TimeoutError) as error:
            raise StorageFailure(
                self.topic, f"could not be read: {error!r}", fix=_BROKER_FIX
            ) from error
        finally:
            await consumer.stop()

    async def _partitions(self) -> set[int]:
        """The topic's partitions, once the cluster metadata shows them (a new topic lags)."""
        admin = aio.admin(self.bootstrap, self.client_config)
        await admin.start()
        try:
            for _ in range(_METADATA_ATTEMPTS):
                (topic,) = await admin.describe_topics([self.topic])
                if topic["error_code"] == 0 and topic["partitions"]:
                    return {partition["partition"] for partition in topic["partitions"]}
                await asyncio.sleep(_METADATA_PAUSE_S)
        finally:
            await admin.close()
        raise StorageFailure(self.topic, "does not show in the cluster metadata")

    async def _read(self, consumer: Any) -> list[Record]:
        partitions = await self._partitions()
        if len(partitions) != 1:
            raise StorageFailure(
                self.topic,
                f"has {len(partitions)} partitions; the registry needs exactly one, "
                "so that its records have one order",
                fix="recreate the topic with one partition (`kcr topics apply` declares it so).",
            )
        partition = TopicPartition(self.topic, next(iter(partitions)))
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        records: list[Record] = []
        while await consumer.position(partition) < end:
            batch = await consumer.getmany(partition, timeout_ms=1000)
            for message in batch.get(partition, []):
                if message.offset < end:
                    self._decode_into(records, message)
        _log.info("registry.topic_read", topic=self.topic, end_offset=end, records=len(records))
        return records

    def _decode_into(self, records: list[Record], message: Any) -> None:
        try:
            record = from_kafka(message.key, message.value)
        except ValueError as error:
            raise StorageFailure(
                self.topic,
                f"offset {message.offset} is not a registry record ({error})",
                fix="point the registry at its own topic (--topic).",
            ) from error
        if record is not None:
            records.append(record)

    async def append(self, record: Record) -> None:
        """Produce ``record`` and wait until all in-sync replicas have it."""
        if self._producer is None:
            raise StorageFailure(self.topic, "the log was not started")
        key, value = to_kafka(record)
        try:
            await self._producer.send_and_wait(self.topic, value=value, key=key)
        except KafkaError as error:
            raise StorageFailure(self.topic, f"write failed: {error!r}", fix=_BROKER_FIX) from error

    async def close(self) -> None:
        """Flush and stop the producer."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()
