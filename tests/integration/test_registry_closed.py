"""The registry as ``kcr run`` configures it, on the real broker: only the hub writes.

The hub registers every schema with its credentials (``codec.register_all()`` through
:func:`hub.registry.access.hub_schema_registry`); anonymous clients, the hub's own and stock
ones (python-schema-registry-client, confluent-kafka's SchemaRegistryClient and Avro serdes),
still read, look up and serialize, and are refused (401) when they try to write.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from schema_registry.client import AsyncSchemaRegistryClient

from hub.codec.registry_client import HttpSchemaRegistry, SchemaRefused
from hub.codec.serde import HUB_COMPATIBILITY, EventCodec, schema_fullname
from hub.contracts.avro_schema import avro_schema_for, to_avro_record
from hub.registry import RegistryConfig, serve_registry
from hub.registry.access import hub_schema_registry
from hub.settings import Settings
from tests.harness import free_port, running_service
from tests.integration.gateway_support import fresh_example


@asynccontextmanager
async def closed_registry(settings: Settings, topic: str) -> AsyncIterator[str]:
    """The registry of ``settings`` (as `kcr run` builds it) on ``topic``; yield its URL."""
    config = dataclasses.replace(RegistryConfig.from_settings(settings), topic=topic)

    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_registry(config, stop, ready)

    async with running_service(main):
        yield settings.registry_url


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """A local hub without a credentials file: the token lives in its data dir."""
    url = f"http://127.0.0.1:{free_port()}"
    return Settings(bootstrap=kafka_bootstrap, registry_url=url, data_dir=tmp_path)


async def test_the_hub_registers_and_anonymous_clients_only_read(
    settings: Settings, unique_name: Callable[[str], str]
) -> None:
    """register_all with the hub's login works; anonymous writes are 401; reads keep working."""
    async with closed_registry(settings, unique_name("_kcr_schemas")) as url:
        anonymous = EventCodec(HttpSchemaRegistry(url))
        with pytest.raises(SchemaRefused) as refused:
            await anonymous.register_all()
        assert refused.value.status == 401
        assert refused.value.fix is not None

        subjects = await EventCodec(hub_schema_registry(settings, "gateway")).register_all()
        assert len(subjects) > 20
        assert await anonymous.register_all() == subjects  # lookups and reads only
        event = fresh_example("incident.reported")
        assert await anonymous.decode_event(await anonymous.encode(event)) == event

        stock = AsyncSchemaRegistryClient(url)
        assert await stock.get_compatibility() == HUB_COMPATIBILITY  # GET /config/
        subject = schema_fullname(avro_schema_for(type(event)))
        assert await stock.get_compatibility(subject) == HUB_COMPATIBILITY
        assert "nl.kcr.test.Extra" not in await stock.get_subjects()  # GET /subjects


async def test_confluent_serdes_read_and_serialize_but_cannot_register(
    settings: Settings, unique_name: Callable[[str], str]
) -> None:
    """AvroSerializer with auto.register.schemas=false works; auto-registering a new one is 401."""
    event = fresh_example("incident.reported")
    schema = avro_schema_for(type(event))
    async with closed_registry(settings, unique_name("_kcr_schemas")) as url:
        await EventCodec(hub_schema_registry(settings)).register_all()
        context = SerializationContext("kcr.ingress.vr19", MessageField.VALUE)
        naming = {"subject.name.strategy": lambda _ctx, name: name}

        def serialize_and_read_back() -> object:
            with SchemaRegistryClient({"url": url}) as client:
                conf = {"auto.register.schemas": False, **naming}
                serializer = AvroSerializer(client, json.dumps(schema), conf=conf)
                value = serializer(to_avro_record(event), context)
                return AvroDeserializer(client)(value, context)

        def register_new() -> None:
            extra = {"type": "record", "name": "Extra", "namespace": "nl.kcr.test",
                     "fields": [{"name": "x", "type": "string"}]}  # fmt: skip
            with SchemaRegistryClient({"url": url}) as client:
                AvroSerializer(client, json.dumps(extra), conf=naming)({"x": "y"}, context)

        decoded = await asyncio.to_thread(serialize_and_read_back)
        assert isinstance(decoded, dict)
        assert decoded["id"] == event.id
        with pytest.raises(SchemaRegistryError) as refused:
            await asyncio.to_thread(register_new)
        assert refused.value.http_status_code == 401
        assert refused.value.error_code == 40101
