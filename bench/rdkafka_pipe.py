"""The gateway's baselines on librdkafka: a bare consume → produce → commit pipe (a child).

Run as a child (its own GIL, memory and CPU): a confluent-kafka group consumer subscribed to
every ingress topic of the hub ``prefix`` takes a batch (up to :data:`BATCH` records),
produces each record unchanged (no decoding) to a sink topic with an idempotent, acks=all
producer, and commits the batch's next offsets before taking the next one:

- ``plain``: the producer's queue is flushed (every record answered by the broker; a failed
  delivery is not checked: no per-record callback, the pipe is a ceiling), then the consumer
  commits the offsets synchronously;
- ``transactional``: the batch is one transaction, its offsets added by
  ``send_offsets_to_transaction``, read_committed (all or nothing, as the gateway's batch).

Timed from the first batch's arrival (the group join is not in the rate) until ``count``
records are copied. Prints one JSON line: records, seconds, records/s, CPU seconds, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from bench.usage import cpu_seconds, peak_rss_mb
from hub.contracts.organisations import load_registry
from hub.topics import TopicNames
from hub.topics.admin import apply_topics
from hub.topics.declaration import TopicSpec

__all__ = ["BATCH", "MODES", "next_offsets", "pipe"]

BATCH = 5000
"""Records per batch at most (the bare aiokafka pipe's ``max_records``)."""
MODES = ("plain", "transactional")


def next_offsets(messages: Sequence[Any]) -> list[TopicPartition]:
    """The offset after the last of ``messages`` in each partition (what a commit names)."""
    ends: dict[tuple[str, int], int] = {}
    for message in messages:
        position = (message.topic(), message.partition())
        ends[position] = max(ends.get(position, -1), message.offset() + 1)
    return [
        TopicPartition(topic, partition, end) for (topic, partition), end in sorted(ends.items())
    ]


def _records(messages: list[Message]) -> list[Message]:
    """The records among ``messages``; a consumer error other than a partition's end raises."""
    records = []
    for message in messages:
        error = message.error()
        if error is None:
            records.append(message)
        elif error.code() != KafkaError._PARTITION_EOF:
            raise KafkaException(error)
    return records


def _produce(producer: Producer, sink: str, records: list[Message]) -> None:
    for record in records:
        while True:
            try:
                producer.produce(sink, record.value(), record.key(), headers=record.headers())
                break
            except BufferError:  # librdkafka's queue is full: let deliveries drain it
                producer.poll(0.05)


def pipe(bootstrap: str, prefix: str, count: int, mode: str) -> dict[str, float]:
    """Copy ``count`` ingress records of hub ``prefix`` to a sink topic; return the figures."""
    names = TopicNames(prefix)
    sink = f"{prefix}.bench.sink-rdkafka-{mode}"
    apply_topics(bootstrap, [TopicSpec(sink, f"bench sink ({mode} librdkafka pipe)")])
    transactional = mode == "transactional"
    group = f"{prefix}-bare-pipe-{mode}"
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
        "enable.auto.offset.store": False, "isolation.level": "read_committed",
        "auto.offset.reset": "earliest", "log_level": 3,
    })  # fmt: skip
    producer = Producer({
        "bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
        "linger.ms": 5, "log_level": 3,
        **({"transactional.id": group} if transactional else {}),
    })  # fmt: skip
    if transactional:
        producer.init_transactions(30)
    consumer.subscribe([names.ingress(o) for o in load_registry().ids() if o != "hub"])
    copied, started = 0, 0.0
    while copied < count:
        records = _records(consumer.consume(BATCH, 1.0))
        if not records:
            continue
        if not copied:
            started = time.perf_counter()
        if transactional:
            producer.begin_transaction()
        _produce(producer, sink, records)
        offsets = next_offsets(records)
        if transactional:
            producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata())
            producer.commit_transaction()
        else:
            if producer.flush(30):
                raise RuntimeError("the plain pipe's records were not all delivered in 30 s")
            consumer.commit(offsets=offsets, asynchronous=False)
        copied += len(records)
    seconds = time.perf_counter() - started
    consumer.close()
    producer.flush(10)
    return {"records": copied, "seconds": seconds, "records_per_s": copied / seconds,
            "cpu_seconds": cpu_seconds(), "peak_rss_mb": peak_rss_mb()}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    args = parser.parse_args()
    print(json.dumps(pipe(args.bootstrap, args.prefix, args.count, args.mode)))
