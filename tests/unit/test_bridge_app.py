"""The bridge's HTTP edge in process: keys, content types, sizes, problem details, OpenAPI.

Nothing here reaches Kafka: every request is refused before publishing (the publisher is never
started); publishing itself is tested on the real broker in tests/integration/.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hub.bridge.app import create_app
from hub.bridge.context import BridgeContext
from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.topics.declaration import TopicNames

CE = {"Content-Type": "application/cloudevents+json"}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "events" / "incident.reported.json"
INCIDENT = json.loads(EXAMPLE.read_text(encoding="utf-8"))
PROBLEM = "application/problem+json"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of an in-process bridge with a 2 KiB limit, and a key of vr07."""
    keys = ApiKeyStore(tmp_path / "keys.json")
    key = keys.add("vr07", "2026-11-27T06:00:00+00:00")
    codec = EventCodec(HttpSchemaRegistry("http://127.0.0.1:9"))
    publisher = IngressPublisher("127.0.0.1:9", TopicNames("t"), codec, {})
    context = BridgeContext(keys, publisher, codec, "127.0.0.1:9", max_body_bytes=2048)
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as http:
        yield http, key


async def test_no_key_and_a_wrong_key_are_401(client: tuple[httpx.AsyncClient, str]) -> None:
    """Missing and unknown keys are problem details with status 401."""
    http, key = client
    missing = await http.post("/v1/events", content=b"{}", headers=CE)
    wrong = await http.post("/v1/events", content=b"{}", headers={**CE, "X-API-Key": key + "x"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["status"] == 401
        assert body["instance"] == "/v1/events"
        assert set(body) >= {"type", "title", "detail"}


async def test_wrong_content_type_is_415(client: tuple[httpx.AsyncClient, str]) -> None:
    """A CloudEvents route refuses text/plain; the CSV route refuses JSON."""
    http, key = client
    auth = {"Authorization": f"Bearer {key}"}
    plain = await http.post(
        "/v1/events", content=b"{}", headers={**auth, "Content-Type": "text/plain"}
    )
    csv = await http.post("/v1/capacity.csv", content=b"{}", headers={**auth, **CE})
    assert (plain.status_code, csv.status_code) == (415, 415)


async def test_too_large_is_413(client: tuple[httpx.AsyncClient, str]) -> None:
    """A body over the limit is refused before it is parsed."""
    http, key = client
    body = json.dumps([{"pad": "x" * 3000}]).encode()
    response = await http.post("/v1/events", content=body, headers={**CE, "X-API-Key": key})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "import limit of 2048 bytes (KCR_MAX_IMPORT_BYTES" in response.json()["detail"]


async def test_invalid_event_names_the_field(client: tuple[httpx.AsyncClient, str]) -> None:
    """A 422 lists event[0].data.grip_level with the fix."""
    http, key = client
    document = {**INCIDENT, "source": "vr07", "subject": "inc-1"}
    changes = {"grip_level": "9", "incident_id": "inc-1", "regions": ["vr07"]}
    document["data"] = {**INCIDENT["data"], **changes}
    response = await http.post("/v1/events", json=[document], headers={**CE, "X-API-Key": key})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:kcr:problem:invalid-event"
    assert (problem["status"], problem["title"]) == (422, "Invalid content")
    [error] = problem["errors"]
    assert error["field"] == "event[0].data.grip_level"
    assert error["fix"]


async def test_not_json_and_bad_last_event_id(client: tuple[httpx.AsyncClient, str]) -> None:
    """Broken JSON is a 422 naming the body; a malformed Last-Event-ID a 400."""
    http, key = client
    auth = {"X-API-Key": key}
    broken = await http.post("/v1/events", content=b"{", headers={**CE, **auth})
    assert broken.json()["errors"][0]["field"] == "body"
    outbox = await http.get("/v1/outbox", headers={**auth, "Last-Event-ID": "zero"})
    assert outbox.status_code == 400
    assert outbox.json()["errors"][0]["field"] == "Last-Event-ID"


async def test_unknown_paths_are_problems_too(client: tuple[httpx.AsyncClient, str]) -> None:
    """404 answers with problem details."""
    http, _ = client
    response = await http.get("/v1/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_openapi_declares_problem_details(client: tuple[httpx.AsyncClient, str]) -> None:
    """Every route documents its problem responses and the ways to send a key."""
    http, _ = client
    spec = (await http.get("/openapi.json")).json()
    events = spec["paths"]["/v1/events"]["post"]
    assert {"202", "401", "403", "413", "415", "422"} <= set(events["responses"])
    assert "application/problem+json" in events["responses"]["422"]["content"]
    assert "application/cloudevents+json" in events["requestBody"]["content"]
    assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])
    assert "text/event-stream" in spec["paths"]["/v1/outbox"]["get"]["responses"]["200"]["content"]
