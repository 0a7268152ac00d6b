"""The processors' batch reader of the log, on the real broker.

Committed records only, in order, from the offsets it is given; what it reports lands in its
group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from confluent_kafka import ConsumerGroupTopicPartitions, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from hub.kafka.log_reader import LogReader, RawRecord


def _topic(bootstrap: str, name: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(30)


def _write(bootstrap: str, topic: str, batches: list[tuple[list[bytes], bool]]) -> None:
    """Write each batch in a transaction of its own, committed or aborted."""
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"{topic}-writer"})
    producer.init_transactions(30)
    for values, commit in batches:
        producer.begin_transaction()
        for value in values:
            producer.produce(topic, value)
        producer.flush(30)
        if commit:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)


async def _read(reader: LogReader, count: int) -> list[RawRecord]:
    found: list[RawRecord] = []
    for _ in range(80):
        found += await reader.fetch(timeout=0.25)
        if len(found) >= count:
            break
    await asyncio.sleep(0.5)  # anything more would have come by now
    return found + await reader.fetch(timeout=0.25)


async def test_only_committed_records_in_offset_order(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """Aborted records and transaction markers never come out; offsets ascend; values kept."""
    topic = unique_name("reader")
    await asyncio.to_thread(_topic, kafka_bootstrap, topic)
    batches = [([b"a", b"b"], True), ([b"phantom"], False), ([b"c"], True)]
    await asyncio.to_thread(_write, kafka_bootstrap, topic, batches)
    reader = LogReader(kafka_bootstrap, f"{topic}-group")
    try:
        positions = await reader.partitions([topic, f"{topic}-missing"])
        assert positions == [(topic, 0)]
        reader.assign({(topic, 0): 0})
        records = await _read(reader, 3)
    finally:
        await reader.close()
    assert [r.value for r in records] == [b"a", b"b", b"c"]
    offsets = [r.offset for r in records]
    assert offsets == sorted(offsets)
    assert offsets[0] == 0
    assert offsets[2] > offsets[1] + 2  # a marker, the aborted record and its marker between


async def test_reads_from_the_offset_given_and_reports_what_was_applied(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """Assigned past the first records it starts there; a commit lands in its own group."""
    topic, group = unique_name("reader"), unique_name("group")
    await asyncio.to_thread(_topic, kafka_bootstrap, topic)
    await asyncio.to_thread(_write, kafka_bootstrap, topic, [([b"1", b"2", b"3"], True)])
    reader = LogReader(kafka_bootstrap, group)
    try:
        reader.assign({(topic, 0): 1})
        records = await _read(reader, 2)
        assert [r.value for r in records] == [b"2", b"3"]
        reader.commit({(topic, 0): records[-1].offset})
        await asyncio.sleep(1.0)  # the commit is asynchronous
    finally:
        await reader.close()

    def committed() -> int:
        admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
        request = ConsumerGroupTopicPartitions(group, [TopicPartition(topic, 0)])
        result = admin.list_consumer_group_offsets([request])[group].result(30)
        return int(result.topic_partitions[0].offset)

    assert await asyncio.to_thread(committed) == records[-1].offset + 1
