"""The processors' state topic on the real broker: created compacted once, read back whole."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from confluent_kafka.admin import AdminClient, ConfigResource

from hub.kafka.output_producer import OutputProducer
from hub.kafka.state_topic import StateTopic, state_key


def _config(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    found = admin.describe_configs([resource])[resource].result(30)
    return {key: entry.value for key, entry in found.items()}


async def test_entries_are_read_back_as_last_written_and_deletions_hold(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """Overwritten keys give their last value, tombstoned ones are gone, a missing topic none."""
    topic = StateTopic(kafka_bootstrap, unique_name("processors-projector-changelog"))
    assert await topic.ensure(1, {"segment.ms": "600000"})
    assert not await topic.ensure(1, {"segment.ms": "600000"})  # there already
    config = await asyncio.to_thread(_config, kafka_bootstrap, topic.name)
    assert (config["cleanup.policy"], config["segment.ms"]) == ("compact", "600000")
    assert await topic.read() == {}
    producer = OutputProducer(kafka_bootstrap)
    try:
        for n in range(25_000):  # more than one batch of the reader
            producer.send(topic.name, state_key(f'["e",{n % 20_000}]'), str(n).encode(), (), 0)
        producer.send(topic.name, state_key('["gone"]'), b"soon", (), 0)
        producer.send(topic.name, state_key('["gone"]'), None, (), 0)
        await producer.flush()
    finally:
        await producer.close()
    entries = await topic.read()
    assert len(entries) == 20_000
    assert entries['["e",7]'] == b"20007"
    assert entries['["e",5000]'] == b"5000"
    assert '["gone"]' not in entries
