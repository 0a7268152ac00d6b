"""``POST /v1/have`` in process: EDXL-HAVE in, capacity reports out, refusals as problems."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest

from hub.bridge.app import create_app
from hub.bridge.context import BridgeContext
from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.topics.declaration import TopicNames

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "have" / "lcps-two-hospitals.xml"
XML = {"Content-Type": "application/xml"}
PROBLEM = "application/problem+json"


class RecordingPublisher(IngressPublisher):
    """An ingress publisher that keeps what it is given instead of sending it to Kafka."""

    def __init__(self) -> None:
        """Start with nothing published; the codec is never reached."""
        codec = EventCodec(HttpSchemaRegistry("http://127.0.0.1:9"))
        super().__init__("127.0.0.1:9", TopicNames("t"), codec, {})
        self.published: list[tuple[str, list[EventEnvelope]]] = []

    async def publish(self, org: str, events: Sequence[EventEnvelope]) -> str:
        """Keep ``events`` as published by ``org``; return its ingress topic."""
        self.published.append((org, list(events)))
        return self.names.ingress(org)


Bridge = tuple[httpx.AsyncClient, dict[str, str], RecordingPublisher]


@pytest.fixture
async def bridge(tmp_path: Path) -> AsyncIterator[Bridge]:
    """An in-process bridge with a 16 KiB limit, a key of lcps and a recording publisher."""
    keys = ApiKeyStore(tmp_path / "keys.json")
    key = keys.add("lcps", "2026-11-27T06:00:00+00:00")
    publisher = RecordingPublisher()
    context = BridgeContext(keys, publisher, publisher.codec, "127.0.0.1:9", 16 * 1024)
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as http:
        yield http, {"X-API-Key": key}, publisher


async def test_a_have_document_is_published_as_capacity_reports(bridge: Bridge) -> None:
    """202 with one capacity.reported per bed type, published as the key's organisation."""
    http, auth, publisher = bridge
    response = await http.post("/v1/have", content=FIXTURE.read_bytes(), headers={**auth, **XML})
    assert response.status_code == 202, response.text
    body = response.json()
    ((org, events),) = publisher.published
    assert org == "lcps"
    assert body == {"topic": publisher.names.ingress("lcps"), "ids": [e.id for e in events]}
    assert sorted(e.subject for e in events) == [
        "lcps/emergency_department_bed",
        "lcps/hospital_bed",
        "lcps/icu_bed",
    ]
    assert {e.type for e in events} == {"nl.kcr.capacity.reported"}


async def test_a_structure_violation_is_422_naming_the_field(bridge: Bridge) -> None:
    """A facility without id is a problem whose error names facility[1].facilityID."""
    http, auth, publisher = bridge
    doc = b"""<HAVE xmlns="urn:oasis:names:tc:emergency:edxl:have:2.0"><facility>
      <bedCapacity><bedType>AdultICU</bedType><availableCount>1</availableCount></bedCapacity>
    </facility></HAVE>"""
    response = await http.post("/v1/have", content=doc, headers={**auth, **XML})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["facility[1].facilityID"]
    assert publisher.published == []


async def test_a_cap_alert_is_422_not_have(bridge: Bridge) -> None:
    """A CAP alert sent to /v1/have is refused with the reason code and the right route."""
    http, auth, _ = bridge
    cap = b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>'
    response = await http.post("/v1/have", content=cap, headers={**auth, **XML})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert "not_have" in error["message"]
    assert "/v1/cap" in error["fix"]


async def test_wrong_type_no_key_and_too_large(bridge: Bridge) -> None:
    """JSON is 415, no key 401, a body over the limit 413, before anything is parsed."""
    http, auth, publisher = bridge
    json_type = await http.post(
        "/v1/have", content=b"{}", headers={**auth, "Content-Type": "application/json"}
    )
    no_key = await http.post("/v1/have", content=FIXTURE.read_bytes(), headers=XML)
    large = await http.post("/v1/have", content=b" " * 20_000, headers={**auth, **XML})
    assert (json_type.status_code, no_key.status_code, large.status_code) == (415, 401, 413)
    assert publisher.published == []


async def test_openapi_describes_the_have_body(bridge: Bridge) -> None:
    """The OpenAPI document lists /v1/have with its XML types, a description and an example."""
    http, _, _ = bridge
    document = (await http.get("/openapi.json")).json()
    operation = document["paths"]["/v1/have"]["post"]
    content = operation["requestBody"]["content"]
    assert sorted(content) == ["application/xml", "text/xml"]
    schema = content["application/xml"]["schema"]
    assert "`HAVE` in `urn:oasis:names:tc:emergency:edxl:have:2.0`" in schema["description"]
    assert "urn:oasis:names:tc:emergency:edxl:have:2.0" in content["application/xml"]["example"]
    assert {"202", "401", "413", "415", "422"} <= set(operation["responses"])


async def test_the_openapi_example_is_accepted(bridge: Bridge) -> None:
    """The example in the OpenAPI document publishes as given (an icu_bed report)."""
    http, auth, publisher = bridge
    document = (await http.get("/openapi.json")).json()
    content = document["paths"]["/v1/have"]["post"]["requestBody"]["content"]
    example = content["application/xml"]["example"]
    response = await http.post("/v1/have", content=example.encode(), headers={**auth, **XML})
    assert response.status_code == 202, response.text
    ((_, events),) = publisher.published
    assert [e.subject for e in events] == ["lcps/icu_bed"]
