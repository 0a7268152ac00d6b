"""The history reader on the real broker: committed records, bounded, from given offsets.

Aborted records and transaction markers never come out; a read ends at the end offsets fixed
before it (records appended later are left out, and an open transaction does not hold it up);
a range of one partition (a gap read) gives exactly its records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import aclosing

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from hub.kafka.history_reader import HistoryReader, Span
from hub.kafka.records import Position


def _topic(bootstrap: str, name: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, 2, 1)])[name].result(30)


def _transactional(bootstrap: str, name: str) -> Producer:
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": name})
    producer.init_transactions(30)
    return producer


def _write(producer: Producer, topic: str, records: list[tuple[int, bytes]], commit: bool) -> None:
    """Write ``records`` (partition, value) in one transaction, committed or aborted."""
    producer.begin_transaction()
    for partition, value in records:
        producer.produce(topic, value, partition=partition)
    producer.flush(30)
    if commit:
        producer.commit_transaction(30)
    else:
        producer.abort_transaction(30)


async def _read(reader: HistoryReader, span: Span) -> dict[Position, list[tuple[int, bytes]]]:
    found: dict[Position, list[tuple[int, bytes]]] = {}

    async def read() -> None:
        async with aclosing(reader.read(span)) as batches:
            async for batch in batches:
                for r in batch:
                    position = (r.topic() or "", r.partition() or 0)
                    found.setdefault(position, []).append((r.offset() or 0, r.value() or b""))

    await asyncio.wait_for(read(), 30)
    return found


async def test_committed_records_to_the_end_fixed_before_the_read(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """Aborted, open and later records never come out; offsets ascend; a range reads alike."""
    topic = unique_name("history")
    await asyncio.to_thread(_topic, kafka_bootstrap, topic)
    writer = await asyncio.to_thread(_transactional, kafka_bootstrap, f"{topic}-writer")
    for records, commit in [
        ([(0, b"a"), (0, b"b"), (1, b"x")], True),
        ([(0, b"phantom")], False),
        ([(0, b"c")], True),
    ]:
        await asyncio.to_thread(_write, writer, topic, records, commit)
    opened = await asyncio.to_thread(_transactional, kafka_bootstrap, f"{topic}-open")
    opened.begin_transaction()
    opened.produce(topic, b"open", partition=0)
    await asyncio.to_thread(opened.flush, 30)
    reader = HistoryReader(kafka_bootstrap)
    try:
        positions = await reader.partitions([topic, f"{topic}-missing"])
        assert positions == [(topic, 0), (topic, 1)]
        span = await reader.span(positions)
        await asyncio.to_thread(_write, writer, topic, [(0, b"later")], True)
        found = await _read(reader, span)
        assert {p: [v for _, v in records] for p, records in found.items()} == {
            (topic, 0): [b"a", b"b", b"c"],
            (topic, 1): [b"x"],
        }
        offsets = [offset for offset, _ in found[topic, 0]]
        assert offsets[0] == 0
        assert offsets[2] > offsets[1] + 2  # a marker, the aborted record and its marker
        gap = {(topic, 0): (offsets[1], offsets[2] + 1)}
        assert await _read(reader, gap) == {(topic, 0): found[topic, 0][1:]}
    finally:
        await reader.close()
        await asyncio.to_thread(opened.abort_transaction, 30)
