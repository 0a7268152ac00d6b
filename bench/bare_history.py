"""The replay's baseline: a bare librdkafka consume + fastavro decode loop over the same log.

Run as a child (its own memory and CPU, as the replay's child): one read-committed librdkafka
consumer assigned to every log partition from its beginning to its end offset at the start,
``consume`` in batches, each value's Avro body read by ``fastavro.schemaless_reader`` with its
writer schema (fetched from the registry and parsed once per id). No events are built, nothing
is folded: the ceiling of ``kcr replay``'s read and decode (issue 17: the replay is to reach
≥ 50 % of it).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import time
from typing import Any

import fastavro
from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from bench.usage import cpu_seconds, peak_rss_mb
from hub.codec.registry_client import HttpSchemaRegistry
from hub.contracts.events.catalogue import FAMILIES
from hub.topics import TopicNames

__all__ = ["bare_consume_decode"]

_BATCH = 10_000


def _assigned(consumer: Consumer, topics: list[str]) -> dict[tuple[str, int], int]:
    """Assign every partition of ``topics`` from its beginning; return where each ends."""
    metadata = consumer.list_topics(None, 15)
    ends, starts = {}, []
    for topic in topics:
        if topic not in metadata.topics:
            continue
        for partition in sorted(metadata.topics[topic].partitions):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), 15)
            if low < high:
                ends[topic, partition] = high
                starts.append(TopicPartition(topic, partition, low))
    consumer.assign(starts)
    return ends


async def bare_consume_decode(bootstrap: str, prefix: str, registry_url: str) -> dict[str, float]:
    """Consume and decode every log record of the hub ``prefix``; return records, s, records/s.

    The loop blocks the event loop (nothing else runs in the child); it awaits only the
    registry, once per schema id.
    """
    registry = HttpSchemaRegistry(registry_url)
    parsed: dict[int, Any] = {}
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": f"{prefix}-bare-history",
        "enable.auto.commit": False, "enable.partition.eof": True,
        "isolation.level": "read_committed", "queued.max.messages.kbytes": 32768,
        "log_level": 3,
    })  # fmt: skip
    started = time.perf_counter()
    ends = _assigned(consumer, [TopicNames(prefix).log(family) for family in FAMILIES])
    count, reader = 0, fastavro.schemaless_reader
    while ends:
        first = consumer.poll(1.0)
        messages = [] if first is None else [first, *consumer.consume(_BATCH - 1, 0)]
        for value in _values(messages, ends):
            schema_id = int.from_bytes(value[1:5])
            if schema_id not in parsed:
                raw = await registry.schema_by_id(schema_id)
                if raw is None:
                    raise LookupError(f"schema id {schema_id} is not registered")
                parsed[schema_id] = fastavro.parse_schema(raw)
            stream = io.BytesIO(value)
            stream.seek(5)
            reader(stream, parsed[schema_id], None)
            count += 1
    seconds = time.perf_counter() - started
    consumer.close()
    return {"events": count, "seconds": seconds, "events_per_s": count / seconds,
            "cpu_seconds": cpu_seconds(), "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def _values(messages: list[Message], ends: dict[tuple[str, int], int]) -> list[bytes]:
    """The values of the records before their partition's end; note the partitions done."""
    values = []
    for message in messages:
        position = (message.topic() or "", message.partition() or 0)
        end, error, offset = ends.get(position), message.error(), message.offset() or 0
        if error is not None:
            if error.code() != KafkaError._PARTITION_EOF:
                raise KafkaException(error)
            if end is not None and offset >= end:
                del ends[position]
        elif end is not None and offset < end:
            values.append(message.value() or b"")
            if offset == end - 1:
                del ends[position]
    return values


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--registry", required=True)
    args = parser.parse_args()
    result = asyncio.run(bare_consume_decode(args.bootstrap, args.prefix, args.registry))
    print(json.dumps(result))
