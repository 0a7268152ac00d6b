"""The clock on the real broker: its ticks count exactly the committed records, a burst at once.

Its pacing is decided in ``tests/unit/test_clock_pacing.py`` over a fake log; here the Kafka
side: the read-committed fetch it waits in, aborted records and transaction markers left out
of the counts, the records of one transaction covered by one tick, the numbering continued
after a restart.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaProducer

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.clock import ClockTicked
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.streams.clock import ClockService, ClockSettings
from hub.topics import TopicSpec
from hub.topics.admin import apply_topics
from hub.topics.declaration import TopicNames

_WAIT = 60.0  # a hang guard, not a speed measure


@asynccontextmanager
async def _running_clock(
    bootstrap: str, names: TopicNames, codec: EventCodec
) -> AsyncIterator[None]:
    """Run a clock (default settings) on the hub ``names`` until the block ends."""
    stop, ready = asyncio.Event(), asyncio.Event()
    clock = ClockService(bootstrap, names, codec, ClockSettings())
    task = asyncio.create_task(clock.run(stop, ready))
    await asyncio.wait_for(ready.wait(), _WAIT)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, _WAIT)


async def _ticks(bootstrap: str, names: TopicNames, codec: EventCodec) -> list[ClockTicked]:
    consumer = bounded_consumer(bootstrap)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, [names.log("clock")])
        records = [r async for batch in read_until_end(consumer, partitions) for r in batch]
    finally:
        await consumer.stop()
    ticks = [await codec.decode_event(r.value) for r in records]
    return [t for t in ticks if isinstance(t, ClockTicked)]


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + _WAIT
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _write(producer: AIOKafkaProducer, topic: str, count: int, commit: bool) -> None:
    """Write ``count`` records to partition 0 of ``topic`` in one transaction."""
    await producer.begin_transaction()
    for n in range(count):
        await producer.send(topic, b"x", key=f"k{n}".encode(), partition=0)
    if commit:
        await producer.commit_transaction()
    else:
        await producer.abort_transaction()


async def test_ticks_count_committed_records_and_cover_a_transaction_at_once(
    kafka_bootstrap: str, registry_url: str
) -> None:
    """7 committed, 3 aborted, then 5 committed records: the ticks count 12, each burst in one."""
    names = TopicNames(f"tclock{uuid.uuid4().hex[:8]}")
    apply_topics(kafka_bootstrap, [TopicSpec(names.log(f), "test") for f in FAMILIES])
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    await codec.register_all()
    incident = (names.log("incident"), 0)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"{names.prefix}-writer"
    )
    await producer.start()
    try:
        async with _running_clock(kafka_bootstrap, names, codec):
            await _write(producer, names.log("incident"), 7, commit=True)
            await _write(producer, names.log("incident"), 3, commit=False)
            await _write(producer, names.log("incident"), 5, commit=True)

            async def all_covered() -> bool:
                ticks = await _ticks(kafka_bootstrap, names, codec)
                counted = sum(
                    m.records or 0
                    for t in ticks
                    for m in t.data.covers
                    if (m.topic, m.partition) == incident
                )
                return counted >= 12

            await _until(all_covered, "ticks covering the 12 committed records")
        first_run = await _ticks(kafka_bootstrap, names, codec)
        async with _running_clock(kafka_bootstrap, names, codec):
            await _write(producer, names.log("incident"), 2, commit=True)

            async def restarted() -> bool:
                return len(await _ticks(kafka_bootstrap, names, codec)) > len(first_run) + 1

            await _until(restarted, "ticks of the restarted clock")
    finally:
        await producer.stop()
    ticks = await _ticks(kafka_bootstrap, names, codec)
    assert [t.data.tick for t in ticks] == list(range(len(ticks)))  # numbering continued
    counts = []
    last = -1
    for tick in ticks:
        for mark in tick.data.covers:
            if (mark.topic, mark.partition) != incident:
                continue
            assert mark.after == last
            last = mark.offset
            if mark.records:
                counts.append(mark.records)
    # a transaction's records become visible at once and are covered by one tick (the second
    # committed one possibly together with the aborted one's fetch, which holds no record)
    assert counts in ([7, 5, 2], [12, 2])
