"""Ingest: the gateway's events/s from the ingress topics into the log, and its two baselines.

Baselines on the same broker and records: a bare aiokafka consume → produce pipe without
decoding (the Python client's ceiling) and a bare fastavro decode loop (the codec's ceiling).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterable

import fastavro
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.env import BenchEnv
from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.codec.wire import unpack
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import schema_for
from hub.contracts.organisations import load_registry
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.reading import partitions_of
from hub.topics.admin import apply_topics
from hub.topics.declaration import TopicSpec

__all__ = ["bare_decode", "bare_pipe", "fill_ingress", "gateway_drain"]


async def fill_ingress(
    env: BenchEnv, codec: EventCodec, events: Iterable[EventEnvelope]
) -> list[bytes]:
    """Encode and produce ``events`` to their sources' ingress topics; return the values."""
    await codec.register_all()
    producer = AIOKafkaProducer(
        bootstrap_servers=env.bootstrap, linger_ms=20, max_batch_size=256 * 1024
    )
    await producer.start()
    values: list[bytes] = []
    try:
        pending = []
        for event in events:
            value = await codec.encode(event)
            values.append(value)
            pending.append(await producer.send(
                env.names.ingress(event.source), value, key=event.subject.encode(),
                headers=to_ce_headers(event),
            ))  # fmt: skip
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return values


async def bare_pipe(env: BenchEnv, count: int) -> float:
    """Copy ``count`` ingress records to a sink topic with no decoding; return records/s."""
    sink = f"{env.names.prefix}.bench.sink"
    await asyncio.to_thread(apply_topics, env.bootstrap, [TopicSpec(sink, "bench sink")])
    ingress = [env.names.ingress(o) for o in load_registry().ids() if o != "hub"]
    partitions = await partitions_of(env.bootstrap, ingress)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=env.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 << 20,
    )
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        copied, started = 0, time.perf_counter()
        while copied < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            futures = [await producer.send(sink, r.value, key=r.key, headers=list(r.headers))
                       for records in batch.values() for r in records]  # fmt: skip
            await asyncio.gather(*futures)
            copied += len(futures)
        return copied / (time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()


def bare_decode(codec: EventCodec, values: list[bytes]) -> float:
    """Decode every value with fastavro alone (schemas parsed once); return records/s."""
    parsed = {
        schema_id: fastavro.parse_schema(schema_for(model))
        for schema_id, model in codec.registered().items()
    }
    started = time.perf_counter()
    reader = fastavro.schemaless_reader
    for value in values:
        schema_id, body = unpack(value)
        reader(io.BytesIO(body), parsed[schema_id], None)
    return len(values) / (time.perf_counter() - started)


async def gateway_drain(env: BenchEnv, count: int) -> tuple[float, float]:
    """Run the gateway until it has judged ``count`` records; return (records/s, seconds)."""
    gateway = Gateway(GatewayWiring(env.bootstrap, env.names, instance="bench"), env.codec(),
                      load_registry())  # fmt: skip
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(gateway.run(stop, ready))
    await ready.wait()
    started = None
    while True:
        done = gateway.stats.accepted + sum(gateway.stats.rejected.values())
        if started is None and done > 0:
            started, first = time.perf_counter(), done
        if done >= count:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - (started or time.perf_counter())
    stop.set()
    await task
    return (count - first) / elapsed if elapsed else 0.0, elapsed
