"""Independent implementations read what the hub writes: Confluent's serdes, the CloudEvents SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    publish,
    running_gateway,
    unique_prefix,
    wait_for_records,
)


async def test_log_records_are_read_by_confluent_and_cloudevents_tooling(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Confluent's AvroDeserializer decodes the value; the CloudEvents SDK reads the headers."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr19",))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    event = fresh_example("incident.reported")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        await publish(kafka_bootstrap, codec, names.ingress("vr19"), [event])
        [record] = await wait_for_records(kafka_bootstrap, [names.log("incident")], 1)

    context = SerializationContext(record.topic, MessageField.VALUE)
    with SchemaRegistryClient({"url": registry_url}) as client:
        # the registry runs on this event loop: the synchronous client must call from a thread
        decoded = await asyncio.to_thread(AvroDeserializer(client), record.value, context)
    assert isinstance(decoded, dict)
    assert decoded["id"] == event.id
    assert decoded["type"] == "nl.kcr.incident.reported"
    assert decoded["tlp"] == event.tlp.value
    assert decoded["data"]["incident_id"] == event.data.model_dump()["incident_id"]
    assert decoded["data"]["grip_level"] == "3"
    assert decoded["time"] == event.time
    assert decoded["ingested_at"] is not None

    assert record.value is not None
    message = KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
    cloud_event = from_binary_event(message)
    assert cloud_event.get_id() == event.id
    assert cloud_event.get_type() == event.type
    assert cloud_event.get_source() == "vr19"
    assert cloud_event.get_subject() == event.subject
    assert cloud_event.get_time() == event.time
    assert cloud_event.get_datacontenttype() == "application/avro"
    assert cloud_event.get_extension("tlp") == event.tlp.value
