"""Records produced with aiokafka come back from the real broker in order and intact."""

from __future__ import annotations

from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from hub.topics import TopicSpec
from hub.topics.admin import apply_topics


async def test_produced_records_are_consumed_in_order(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """A hundred keyed records come back in the order sent, with keys, values and headers."""
    topic = unique_name("t.roundtrip")
    apply_topics(kafka_bootstrap, [TopicSpec(topic, "test")])
    sent = [(f"k{i % 7}".encode(), f"value {i}".encode()) for i in range(100)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for key, value in sent:
            await producer.send(topic, value, key=key, headers=[("ce_id", key)])
        await producer.flush()
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        received: list[ConsumerRecord[bytes, bytes]] = []
        while len(received) < len(sent):
            batch = await consumer.getmany(timeout_ms=5000)
            assert batch, f"no records after {len(received)} of {len(sent)}"
            received += [r for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    assert [(r.key, r.value) for r in received] == sent
    assert all(r.headers == (("ce_id", r.key),) for r in received)
    assert [r.offset for r in received] == list(range(100))
