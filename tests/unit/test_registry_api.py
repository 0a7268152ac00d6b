"""The registry's REST API (Confluent's paths, shapes and codes) over an in-memory record log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub.registry import MemoryRecordLog, Registry
from hub.registry.app import create_app
from hub.registry.records import Record
from hub.registry.routes import MEDIA_TYPE

V1: dict[str, Any] = {
    "type": "record",
    "name": "Incident",
    "namespace": "nl.kcr",
    "fields": [{"name": "id", "type": "string"}, {"name": "region", "type": "string"}],
}
V2: dict[str, Any] = {
    **V1,
    "fields": [*V1["fields"], {"name": "note", "type": ["null", "string"], "default": None}],
}
V3_WITHOUT_REGION: dict[str, Any] = {**V1, "fields": [V1["fields"][0], V2["fields"][2]]}


def body(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A register/lookup request body for ``schema``."""
    return {"schema": json.dumps(schema), **extra}


def client_for(registry: Registry) -> httpx.AsyncClient:
    """An HTTP client that calls the registry's app in process."""
    transport = httpx.ASGITransport(app=create_app(registry))
    return httpx.AsyncClient(transport=transport, base_url="http://registry")


@pytest.fixture
async def log() -> MemoryRecordLog:
    """An empty in-memory record log."""
    return MemoryRecordLog()


@pytest.fixture
async def api(log: MemoryRecordLog) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a registry on ``log``."""
    async with client_for(await Registry.load(log)) as client:
        yield client


async def register(api: httpx.AsyncClient, subject: str, schema: dict[str, Any]) -> int:
    """Register ``schema``; its id (the request must succeed)."""
    response = await api.post(f"/subjects/{subject}/versions", json=body(schema))
    assert response.status_code == 200, response.text
    schema_id: int = response.json()["id"]
    return schema_id


async def test_root_answers_an_empty_object_in_the_registry_content_type(
    api: httpx.AsyncClient,
) -> None:
    """GET / is Confluent's liveness answer."""
    response = await api.get("/")
    assert response.json() == {}
    assert response.headers["content-type"] == MEDIA_TYPE


async def test_plain_json_clients_get_plain_json(api: httpx.AsyncClient) -> None:
    """A client that accepts only application/json gets that content type."""
    response = await api.get("/schemas/types", headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    assert response.json() == ["AVRO"]


async def test_register_fetch_by_id_and_by_version(api: httpx.AsyncClient) -> None:
    """A registered schema is found by id (without schemaType) and as the latest version."""
    headers = {"Content-Type": MEDIA_TYPE}
    response = await api.post(
        "/subjects/incident-value/versions", content=json.dumps(body(V1)), headers=headers
    )
    assert response.json() == {"id": 1}
    by_id = (await api.get("/schemas/ids/1")).json()
    assert by_id.keys() == {"schema"}
    assert json.loads(by_id["schema"]) == json.loads((await api.get("/schemas/ids/1/schema")).text)
    latest = (await api.get("/subjects/incident-value/versions/latest")).json()
    assert latest == {"subject": "incident-value", "version": 1, "id": 1, "schema": by_id["schema"]}
    raw = await api.get("/subjects/incident-value/versions/1/schema")
    assert json.loads(raw.text)["name"] == "Incident"
    assert (await api.get("/subjects")).json() == ["incident-value"]
    assert (await api.get("/subjects/incident-value/versions")).json() == [1]
    assert (await api.get("/schemas/ids/1/versions")).json() == [
        {"subject": "incident-value", "version": 1}
    ]
    assert (await api.get("/schemas/ids/1/subjects")).json() == ["incident-value"]


async def test_same_schema_again_and_under_another_subject_keeps_its_id(
    api: httpx.AsyncClient,
) -> None:
    """Idempotent re-registration, global ids across subjects."""
    assert await register(api, "a", V1) == 1
    assert await register(api, "a", V1) == 1
    assert await register(api, "b", V1) == 1
    assert await register(api, "b", V2) == 2
    assert (await api.get("/subjects/b/versions")).json() == [1, 2]


async def test_body_is_read_as_json_whatever_its_content_type(api: httpx.AsyncClient) -> None:
    """Confluent's registry also takes application/octet-stream bodies."""
    response = await api.post(
        "/subjects/s/versions",
        content=json.dumps(body(V1)),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.json() == {"id": 1}


async def test_lookup_answers_the_version_or_40401_or_40403(api: httpx.AsyncClient) -> None:
    """POST /subjects/{s} finds a registered schema; otherwise says what is missing."""
    await register(api, "s", V1)
    found = await api.post("/subjects/s", json=body(V1))
    assert found.json()["version"] == 1
    assert found.json()["id"] == 1
    missing_schema = await api.post("/subjects/s", json=body(V2))
    assert (missing_schema.status_code, missing_schema.json()["error_code"]) == (404, 40403)
    missing_subject = await api.post("/subjects/t", json=body(V1))
    assert missing_subject.json() == {"error_code": 40401, "message": "Subject 't' not found."}


async def test_incompatible_schema_is_409_naming_the_field(api: httpx.AsyncClient) -> None:
    """Under the default level, dropping a required field is refused with 409."""
    await register(api, "s", V1)
    await register(api, "s", V2)
    response = await api.post("/subjects/s/versions", json=body(V3_WITHOUT_REGION))
    assert response.status_code == 409
    assert response.json()["error_code"] == 409
    assert "'region'" in response.json()["message"]
    assert "FULL_TRANSITIVE" in response.json()["message"]


@pytest.mark.parametrize(
    ("request_body", "reason"),
    [
        ({"schema": "{not json"}, "Invalid schema"),
        ({"schema": '{"type": "record", "name": "X"}'}, "fields"),
        ({"schema": json.dumps(V1), "schemaType": "PROTOBUF"}, "AVRO schemas only"),
        ({"schema": json.dumps(V1), "schemaType": "JSON"}, "AVRO schemas only"),
        (
            {"schema": json.dumps(V1), "references": [{"name": "x", "subject": "y", "version": 1}]},
            "references",
        ),
        ({}, "Empty schema"),
    ],
)
async def test_invalid_schemas_are_422_with_error_42201(
    api: httpx.AsyncClient, request_body: dict[str, Any], reason: str
) -> None:
    """Bad Avro, other schema types and references are refused with the reason."""
    response = await api.post("/subjects/s/versions", json=request_body)
    assert response.status_code == 422
    assert response.json()["error_code"] == 42201
    assert reason in response.json()["message"]


async def test_malformed_body_and_unknown_paths_get_confluent_error_bodies(
    api: httpx.AsyncClient,
) -> None:
    """Non-JSON bodies are 400, unknown paths 404, both as {error_code, message}."""
    malformed = await api.post("/subjects/s/versions", content=b"{oops")
    assert (malformed.status_code, malformed.json()["error_code"]) == (400, 400)
    unknown = await api.get("/nowhere")
    assert unknown.json() == {"error_code": 404, "message": "HTTP 404 Not Found"}


@pytest.mark.parametrize("version", ["0", "abc", "-5"])
async def test_invalid_versions_are_42202(api: httpx.AsyncClient, version: str) -> None:
    """Versions must be positive integers or 'latest'."""
    await register(api, "s", V1)
    response = await api.get(f"/subjects/s/versions/{version}")
    assert (response.status_code, response.json()["error_code"]) == (422, 42202)


async def test_missing_subject_and_version_are_40401_and_40402(api: httpx.AsyncClient) -> None:
    """GET of an unknown subject or version answers Confluent's codes."""
    await register(api, "s", V1)
    assert (await api.get("/subjects/t/versions")).json()["error_code"] == 40401
    assert (await api.get("/subjects/s/versions/2")).json()["error_code"] == 40402
    assert (await api.get("/schemas/ids/5")).json() == {
        "error_code": 40403,
        "message": "Schema 5 not found",
    }


async def test_config_shapes_and_levels(api: httpx.AsyncClient) -> None:
    """GET answers compatibilityLevel, PUT echoes compatibility, bad levels are 42203."""
    assert (await api.get("/config")).json() == {"compatibilityLevel": "FULL_TRANSITIVE"}
    assert (await api.put("/config", json={"compatibility": "backward"})).json() == {
        "compatibility": "BACKWARD"
    }
    assert (await api.get("/config")).json() == {"compatibilityLevel": "BACKWARD"}
    unset = await api.get("/config/s")
    assert (unset.status_code, unset.json()["error_code"]) == (404, 40408)
    fallback = await api.get("/config/s", params={"defaultToGlobal": "true"})
    assert fallback.json() == {"compatibilityLevel": "BACKWARD"}
    assert (await api.put("/config/s", json={"compatibility": "NONE"})).json() == {
        "compatibility": "NONE"
    }
    assert (await api.get("/config/s")).json() == {"compatibilityLevel": "NONE"}
    bad = await api.put("/config/s", json={"compatibility": "SIDEWAYS"})
    assert (bad.status_code, bad.json()["error_code"]) == (422, 42203)
    assert (await api.delete("/config/s")).json() == {"compatibilityLevel": "NONE"}
    assert (await api.delete("/config")).json() == {"compatibilityLevel": "BACKWARD"}
    assert (await api.get("/config")).json() == {"compatibilityLevel": "FULL_TRANSITIVE"}


async def test_compatibility_endpoint_answers_with_and_without_messages(
    api: httpx.AsyncClient,
) -> None:
    """is_compatible alone, or with messages when verbose (Python 'True' spelling too)."""
    await register(api, "s", V1)
    url = "/compatibility/subjects/s/versions/latest"
    assert (await api.post(url, json=body(V2))).json() == {"is_compatible": True}
    quiet = await api.post(url, json=body(V3_WITHOUT_REGION), params={"verbose": "False"})
    assert quiet.json() == {"is_compatible": False}
    loud = (await api.post(url, json=body(V3_WITHOUT_REGION), params={"verbose": "True"})).json()
    assert loud["is_compatible"] is False
    assert "'region'" in loud["messages"][0]
    all_versions = await api.post(
        "/compatibility/subjects/s/versions", json=body(V2), params={"verbose": "true"}
    )
    assert all_versions.json() == {"is_compatible": True, "messages": []}
    invalid = await api.post(url, json={"schema": "{"}, params={"verbose": "true"})
    assert invalid.json()["is_compatible"] is False
    missing = await api.post("/compatibility/subjects/s/versions/4", json=body(V2))
    assert missing.json()["error_code"] == 40402


async def test_soft_deletes_and_refused_permanent_deletes(api: httpx.AsyncClient) -> None:
    """Deletes are soft: versions leave the lists, ids stay; permanent=true is 42205."""
    await register(api, "s", V1)
    await register(api, "s", V2)
    permanent = await api.delete("/subjects/s", params={"permanent": "true"})
    assert (permanent.status_code, permanent.json()["error_code"]) == (422, 42205)
    assert (await api.delete("/subjects/s/versions/latest")).json() == 2
    assert (await api.get("/subjects/s/versions")).json() == [1]
    assert (await api.get("/subjects/s/versions", params={"deleted": "true"})).json() == [1, 2]
    assert (await api.delete("/subjects/s/versions/2")).json()["error_code"] == 40406
    assert (await api.delete("/subjects/s")).json() == [1]
    assert (await api.get("/subjects")).json() == []
    assert (await api.get("/subjects", params={"deleted": "true"})).json() == ["s"]
    assert (await api.delete("/subjects/s")).json()["error_code"] == 40404
    assert (await api.get("/schemas/ids/2")).status_code == 200
    assert (await api.get("/subjects/s/versions/2", params={"deleted": "true"})).json()["id"] == 2


async def test_import_mode_registration_is_refused(api: httpx.AsyncClient) -> None:
    """A register request that chooses its own id is refused with 42205."""
    response = await api.post("/subjects/s/versions", json=body(V1, id=42))
    assert response.json()["error_code"] == 42205


async def test_a_restart_on_the_same_log_answers_the_same(
    api: httpx.AsyncClient, log: MemoryRecordLog
) -> None:
    """A registry loaded from the same records has the same ids, versions and levels."""
    await register(api, "a", V1)
    await register(api, "a", V2)
    await register(api, "b", V2)
    await api.put("/config/b", json={"compatibility": "NONE"})
    await api.delete("/subjects/a/versions/1")
    async with client_for(await Registry.load(log)) as restarted:
        for client in (api, restarted):
            assert (await client.get("/subjects/a/versions")).json() == [2]
            assert (await client.get("/subjects/b/versions/1")).json()["id"] == 2
            assert (await client.get("/config/b")).json() == {"compatibilityLevel": "NONE"}
        assert await register(restarted, "c", V1) == 1
        assert await register(restarted, "d", {"type": "string"}) == 3


class SlowRecordLog(MemoryRecordLog):
    """A record log whose appends take a moment, as a broker's do."""

    async def append(self, record: Record) -> None:
        """Yield to other tasks before keeping ``record``."""
        await asyncio.sleep(0.001)
        await super().append(record)


async def test_concurrent_registrations_get_distinct_versions_and_ids() -> None:
    """Changes are serialised: twenty parallel registrations take twenty versions and ids."""
    registry = await Registry.load(SlowRecordLog())
    async with client_for(registry) as api:
        await api.put("/config", json={"compatibility": "NONE"})
        schemas = [{"type": "enum", "name": f"E{i}", "symbols": ["A"]} for i in range(20)]
        ids = await asyncio.gather(*(register(api, "s", schema) for schema in schemas))
        assert sorted(ids) == list(range(1, 21))
        assert (await api.get("/subjects/s/versions")).json() == list(range(1, 21))
