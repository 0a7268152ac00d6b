"""The schema registry on the real broker, driven by two independent Confluent-registry clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from schema_registry.client import AsyncSchemaRegistryClient
from schema_registry.client.errors import ClientError
from schema_registry.client.schema import AvroSchema
from schema_registry.serializers.message_serializer import AsyncAvroMessageSerializer

from hub.registry.kafka_log import schemas_topic_spec
from hub.topics.admin import apply_topics
from tests.harness import running_registry

V1: dict[str, Any] = {
    "type": "record",
    "name": "Incident",
    "namespace": "nl.kcr",
    "fields": [{"name": "id", "type": "string"}, {"name": "region", "type": "string"}],
}
NOTE = {"name": "note", "type": ["null", "string"], "default": None}
V2: dict[str, Any] = {**V1, "fields": [*V1["fields"], NOTE]}
V3_WITHOUT_REGION: dict[str, Any] = {**V1, "fields": [V1["fields"][0], NOTE]}
GRIP: dict[str, Any] = {"type": "enum", "name": "Grip", "symbols": ["GRIP0", "GRIP1", "GRIP2"]}


@pytest.fixture
def topic(unique_name: Callable[[str], str]) -> str:
    """A fresh registry topic for this test."""
    return unique_name("_kcr_schemas")


async def test_python_schema_registry_client_round_trip(kafka_bootstrap: str, topic: str) -> None:
    """python-schema-registry-client registers, fetches, checks and configures."""
    async with running_registry(kafka_bootstrap, topic) as url:
        client = AsyncSchemaRegistryClient(url=url)
        first = await client.register("incident-value", V1)
        assert await client.register("incident-value", V1) == first
        fetched = await client.get_by_id(first)
        assert fetched is not None
        assert fetched.raw_schema["name"] == "Incident"
        second = await client.register("incident-value", V2)
        assert second != first
        latest = await client.get_schema("incident-value")
        assert latest is not None
        assert (latest.schema_id, latest.version) == (second, 2)
        found = await client.check_version("incident-value", V1)
        assert found is not None
        assert found.version == 1
        assert await client.get_versions("incident-value") == [1, 2]
        assert await client.get_subjects() == ["incident-value"]
        assert await client.test_compatibility("incident-value", V3_WITHOUT_REGION) is False
        with pytest.raises(ClientError) as refused:
            await client.register("incident-value", V3_WITHOUT_REGION)
        assert refused.value.http_code == 409
        assert await client.update_compatibility("NONE", "incident-value")
        assert await client.get_compatibility("incident-value") == "NONE"
        usages = await client.get_schema_subject_versions(second)
        assert usages is not None
        assert [(u.subject, u.version) for u in usages] == [("incident-value", 2)]


async def test_confluent_kafka_client_round_trip(kafka_bootstrap: str, topic: str) -> None:
    """confluent-kafka's SchemaRegistryClient registers, looks up, deletes and is refused."""
    async with running_registry(kafka_bootstrap, topic) as url:
        with SchemaRegistryClient({"url": url}) as client:
            await asyncio.to_thread(_confluent_round_trip, client)


def _confluent_round_trip(client: SchemaRegistryClient) -> None:
    v1, v2 = Schema(json.dumps(V1), "AVRO"), Schema(json.dumps(V2), "AVRO")
    first = client.register_schema("incident-value", v1)
    assert client.register_schema("other-value", v1) == first
    second = client.register_schema("incident-value", v2)
    assert json.loads(str(client.get_schema(second).schema_str))["fields"][2]["name"] == "note"
    assert client.lookup_schema("incident-value", v1).version == 1
    assert client.get_latest_version("incident-value").schema_id == second
    assert client.get_versions("incident-value") == [1, 2]
    assert client.get_subjects() == ["incident-value", "other-value"]
    assert client.get_compatibility() == "FULL_TRANSITIVE"
    assert (
        client.test_compatibility("incident-value", Schema(json.dumps(V3_WITHOUT_REGION), "AVRO"))
        is False
    )
    with pytest.raises(SchemaRegistryError) as refused:
        client.register_schema("incident-value", Schema(json.dumps(V3_WITHOUT_REGION), "AVRO"))
    assert (refused.value.http_status_code, refused.value.error_code) == (409, 409)
    assert "'region'" in refused.value.error_message
    assert client.delete_version("other-value", 1) == 1
    assert client.get_subjects() == ["incident-value"]
    with pytest.raises(SchemaRegistryError) as missing:
        client.get_version("incident-value", 7)
    assert (missing.value.http_status_code, missing.value.error_code) == (404, 40402)


async def test_serializers_of_both_clients_read_each_others_records(
    kafka_bootstrap: str, topic: str
) -> None:
    """Confluent wire-format bytes written by one client library are read by the other."""
    async with running_registry(kafka_bootstrap, topic) as url:
        incident = {"id": "i-1", "region": "vr07", "note": None}
        context = SerializationContext("kcr.log.incident", MessageField.VALUE)
        python_serde = AsyncAvroMessageSerializer(AsyncSchemaRegistryClient(url=url))
        with SchemaRegistryClient({"url": url}) as client:
            serializer = AvroSerializer(client, json.dumps(V2))
            confluent_bytes = await asyncio.to_thread(serializer, incident, context)
            assert await python_serde.decode_message(confluent_bytes) == incident
            python_bytes = await python_serde.encode_record_with_schema(
                "kcr.log.incident-value", AvroSchema(V2), incident
            )
            assert python_bytes[:5] == confluent_bytes[:5]
            deserializer = AvroDeserializer(client)
            assert await asyncio.to_thread(deserializer, python_bytes, context) == incident


async def test_a_restart_on_the_same_topic_serves_the_same_ids_and_versions(
    kafka_bootstrap: str, topic: str
) -> None:
    """Everything acknowledged before a stop is served again after a start on the same topic."""
    async with (
        running_registry(kafka_bootstrap, topic) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        await _fill(http)
        before = await _snapshot(http)
    assert apply_topics(kafka_bootstrap, [schemas_topic_spec(topic)]).unchanged == [topic]
    async with (
        running_registry(kafka_bootstrap, topic) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        assert await _snapshot(http) == before
        response = await http.post(
            "/subjects/c/versions", json={"schema": json.dumps({"type": "string"})}
        )
        assert response.json() == {"id": 4}
    assert before["ids"] == [
        [1, 2, 2, 3],
        [{"subject": "a", "version": 2}, {"subject": "b", "version": 1}],
    ]


async def _fill(http: httpx.AsyncClient) -> None:
    """Register v1 and v2 under a, v2 and (at level NONE) an enum under b; delete a's v1."""
    for subject, schema in [("a", V1), ("a", V2), ("b", V2), ("b", GRIP)]:
        if schema is GRIP:
            await http.put("/config/b", json={"compatibility": "NONE"})
        response = await http.post(
            f"/subjects/{subject}/versions", json={"schema": json.dumps(schema)}
        )
        assert response.status_code == 200, response.text
    await http.delete("/subjects/a/versions/1")


async def _snapshot(http: httpx.AsyncClient) -> dict[str, Any]:
    """What the registry answers about subjects a and b."""
    return {
        "subjects": (await http.get("/subjects")).json(),
        "a": (await http.get("/subjects/a/versions", params={"deleted": "true"})).json(),
        "a live": (await http.get("/subjects/a/versions")).json(),
        "b": [(await http.get(f"/subjects/b/versions/{v}")).json() for v in (1, 2)],
        "config b": (await http.get("/config/b")).json(),
        "ids": [
            [
                (await http.get(f"/subjects/{s}/versions/{v}", params={"deleted": "true"})).json()[
                    "id"
                ]
                for s, v in [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
            ],
            (await http.get("/schemas/ids/2/versions")).json(),
        ],
    }
