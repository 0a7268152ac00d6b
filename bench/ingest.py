"""Ingest: the gateway's events/s from the ingress topics into the log, and its two baselines.

Baselines on the same broker and records: a bare aiokafka consume → produce pipe without
decoding (the Python client's ceiling) and a bare fastavro decode loop (the codec's ceiling).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

import fastavro
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.env import BenchEnv
from bench.fastfill import EventPool, fast_producer, produce
from hub.codec.serde import EventCodec
from hub.codec.wire import unpack
from hub.contracts.models import schema_for
from hub.contracts.organisations import load_registry
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.reading import partitions_of
from hub.topics.admin import apply_topics
from hub.topics.declaration import TopicSpec

__all__ = ["bare_decode", "bare_pipe", "fill_ingress", "gateway_drain"]


async def fill_ingress(env: BenchEnv, pool: EventPool, count: int, seed: int = 0) -> list[bytes]:
    """Produce ``count`` pool events to their sources' ingress topics; return the values."""
    return await asyncio.to_thread(_fill_ingress, env, pool, count, seed)


def _fill_ingress(env: BenchEnv, pool: EventPool, count: int, seed: int) -> list[bytes]:
    producer = fast_producer(env.bootstrap)
    values: list[bytes] = []
    failed: list[str] = []

    def delivered(error: object, _message: object) -> None:
        if error is not None:
            failed.append(str(error))

    for event in pool.encoded(count, seed=seed):
        values.append(event.value)
        produce(producer, env.names.ingress(event.source), event.value, event.key,
                event.headers, delivered)  # fmt: skip
    producer.flush()
    if failed:
        raise RuntimeError(f"ingress fill failed: {failed[:3]}")
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


class _TimedGateway(Gateway):
    """The real gateway; notes when its first batch arrived (after group join and fetch)."""

    first_batch_at: float | None = None

    async def _process(self, consumer: Any, producer: Any, batch: Any) -> Any:
        if self.first_batch_at is None:
            self.first_batch_at = time.perf_counter()
        return await super()._process(consumer, producer, batch)


async def gateway_drain(
    env: BenchEnv, count: int, when_ready: Callable[[], None] | None = None
) -> tuple[float, float]:
    """Run the gateway until it has judged ``count`` records; return (records/s, seconds).

    Timed from the arrival of its first batch to the commit of its last: start-up and the
    consumer group's join are not in the rate. ``when_ready`` is called once the gateway is
    ready (a profiler started there sees the batches, not the start-up).
    """
    gateway = _TimedGateway(GatewayWiring(env.bootstrap, env.names, instance="bench"),
                            env.codec(), load_registry())  # fmt: skip
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(gateway.run(stop, ready))
    await ready.wait()
    if when_ready is not None:
        when_ready()
    while gateway.stats.accepted + sum(gateway.stats.rejected.values()) < count:
        if task.done():
            task.result()
            raise RuntimeError("the gateway stopped before it drained the ingress topics")
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - (gateway.first_batch_at or time.perf_counter())
    stop.set()
    await task
    return count / elapsed if elapsed else 0.0, elapsed
