"""The processors' output producer on the real broker: records land, refusals are raised."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from hub.kafka.output_producer import OutputProducer, OutputsUndelivered


def _topic(bootstrap: str, name: str, config: dict[str, str] | None = None) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, 1, 1, config=config or {})])[name].result(30)


def _read(bootstrap: str, topic: str, count: int) -> list[tuple[bytes | None, bytes | None]]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{topic}-reader"})
    consumer.assign([TopicPartition(topic, 0, 0)])
    found: list[tuple[bytes | None, bytes | None]] = []
    try:
        for _ in range(40):
            for message in consumer.consume(100, 0.5):
                if message.error() is None:
                    found.append((message.key(), message.value()))
            if len(found) >= count:
                break
    finally:
        consumer.close()
    return found


async def test_records_and_tombstones_land_once_flushed(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """What was sent is at the broker when flush returns, tombstones and headers included."""
    topic = unique_name("outputs")
    await asyncio.to_thread(_topic, kafka_bootstrap, topic)
    producer = OutputProducer(kafka_bootstrap)
    try:
        producer.send(topic, b"incident/a", b"view-a", [("ce_type", b"view")])
        producer.send(topic, b"incident/b", b"view-b")
        producer.serve()
        producer.send(topic, b"incident/a", None)
        await producer.flush()
    finally:
        await producer.close()
    found = await asyncio.to_thread(_read, kafka_bootstrap, topic, 3)
    assert found == [(b"incident/a", b"view-a"), (b"incident/b", b"view-b"), (b"incident/a", None)]


async def test_a_record_the_broker_refuses_fails_the_flush(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """A record over the topic's size limit is refused: flush raises, naming the topic."""
    topic = unique_name("outputs")
    await asyncio.to_thread(_topic, kafka_bootstrap, topic, {"max.message.bytes": "2000"})
    producer = OutputProducer(kafka_bootstrap)
    try:
        producer.send(topic, b"big", os.urandom(20_000))
        with pytest.raises(OutputsUndelivered, match=topic):
            await producer.flush()
        producer.send(topic, b"small", b"fits")
        await producer.flush()  # the refusal was reported once; later sends go on
    finally:
        await producer.close()
