"""The bridge's OpenAPI document against the bridge itself: schemathesis, every check.

The in-process ASGI app gets a valid key (so the authenticated paths are exercised) and a
publisher that keeps what it is given instead of sending it to Kafka (publishing itself is
tested on a real broker in tests/integration/). The outbox is asked of a cluster without an
outbox topic (404), which is enough for its ``Last-Event-ID`` parsing.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings
from schemathesis.checks import CHECKS, load_all_checks

from hub.bridge.app import create_app
from hub.bridge.context import BridgeContext
from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.bridge.sse import OutboxSource
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.fields import EARLIEST, LATEST
from hub.kafka.aio import TopicPartition
from hub.topics.declaration import TopicNames
from tests import st_hooks

assert st_hooks.TEXT_TYPES  # registers the serializers of the CSV and CAP bodies

ORG = "vr07"
"""The key's organisation; no example names it."""


class KeepingPublisher(IngressPublisher):
    """An ingress publisher that keeps the events it is given (no broker in a unit test)."""

    def __init__(self) -> None:
        codec = EventCodec(HttpSchemaRegistry("http://127.0.0.1:9"))
        super().__init__("127.0.0.1:9", TopicNames("unit"), codec, {})
        self.published: list[EventEnvelope] = []

    async def publish(self, org: str, events: Sequence[EventEnvelope]) -> str:
        """Keep ``events``; the topic they would go to."""
        self.published += events
        return self.names.ingress(org)


async def _no_partitions(self: OutboxSource) -> list[TopicPartition]:
    return []


def _app(directory: Path) -> tuple[Any, str, KeepingPublisher]:
    keys = ApiKeyStore(directory / "keys.json")
    key = keys.add(ORG, "2026-11-27T06:00:00+00:00")
    publisher = KeepingPublisher()
    context = BridgeContext(keys, publisher, publisher.codec, "127.0.0.1:9", max_body_bytes=65536)
    return create_app(context), key, publisher


_KEYS = Path(tempfile.mkdtemp(prefix="kcr-openapi-"))
BRIDGE = _app(_KEYS)
schema = schemathesis.openapi.from_asgi("/openapi.json", BRIDGE[0])
schema.config.phases.coverage.enabled = False
"""The coverage phase enumerates boundary combinations of the 19 event schemas (about 110 s on
a loaded 2-core machine); the examples and fuzzing phases with 50 examples take seconds."""


@pytest.fixture(scope="module", autouse=True)
def bridge() -> Iterator[tuple[Any, str, KeepingPublisher]]:
    """The app, a key of vr07 and its publisher; its outbox has no partitions (404)."""
    original = OutboxSource.partitions
    OutboxSource.partitions = _no_partitions  # type: ignore[method-assign]
    yield BRIDGE
    OutboxSource.partitions = original  # type: ignore[method-assign]
    shutil.rmtree(_KEYS, ignore_errors=True)


POSITIVE_UNPROVABLE = {
    "POST /v1/cap": "a CAP document is valid per the CAP 1.2 XSD, not per a JSON Schema",
    "POST /v1/edxl": "an EDXL document is valid per the EDXL XSDs, not per a JSON Schema",
    "POST /v1/capacity.csv": "CSV cells (codes, counts, available <= total) are text to a schema",
    "POST /v1/have": "an EDXL-HAVE document's structure is checked by the hub, not per a schema",
}
"""Operations where a body valid per its OpenAPI schema may still be refused (422): for them
schemathesis's ``positive_data_acceptance`` cannot hold, and their documented examples are
posted instead (``test_every_example_is_accepted_with_any_key``). Every other check runs.
``/v1/events`` is not among them: its bodies are generated from the JSON Schema and kept when
they also keep the rules the document lists in ``x-kcr-rules`` (:func:`keeps_the_rules`)."""


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _in_utc_range(value: Any) -> bool:
    """False for an RFC 3339 time whose UTC instant is outside the years 1900..2999."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return True
    if moment is None or moment.tzinfo is None:
        return True
    try:
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:
        return False


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unique(values: list[Any]) -> bool:
    return len(values) == len(set(values))


def _keeps(event: Any) -> bool:
    """Whether one generated event keeps every rule of ``x-kcr-rules`` (read independently)."""
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(data, dict):
        return True
    if not all(_in_utc_range(value) for value in [*event.values(), *data.values()]):
        return False
    total, available, committed = (data.get(k) for k in ("total", "available", "committed"))
    if _number(total) and _number(available):  # 7.0 is a count too
        extra: float = committed if _number(committed) else 0
        if float(available) + extra > float(total):
            return False
    start, end = data.get("period_start"), data.get("period_end")
    if isinstance(start, str) and isinstance(end, str) and _time(end) < _time(start):
        return False
    for field, key in (("parameters", "name"), ("indicators", "indicator_id")):
        items = data.get(field)
        if isinstance(items, list) and not _unique([i.get(key) for i in items]):
            return False
    recipients = event.get("recipients", [])
    if event.get("tlp") == "RED" and isinstance(data.get("addressees"), list):
        return all(a in recipients for a in data["addressees"])
    return True


def keeps_the_rules(body: Any) -> bool:
    """Whether a generated CloudEvents body (one event or a batch) keeps the ``x-kcr-rules``."""
    return all(_keeps(event) for event in (body if isinstance(body, list) else [body]))


def test_the_rules_filter_reads_the_documented_rules() -> None:
    """Each rule the document lists is one the filter checks: a breaking event is dropped."""
    rules = {
        rule
        for name, component in BRIDGE[0].openapi()["components"]["schemas"].items()
        if name.startswith("CloudEvent.")
        for rule in component.get("x-kcr-rules", [])
    }
    assert len(rules) == 7
    breaking = [
        {"data": {"total": 1, "available": 2}},
        {"data": {"total": 3, "available": 2, "committed": 2}},
        {"data": {"total": 7.0, "available": 13055}},
        {"data": {"started_at": "0001-01-01T00:00:00+01:00"}},
        {"data": {"period_start": "2026-01-02T00:00:00Z", "period_end": "2026-01-01T00:00:00Z"}},
        {"data": {"parameters": [{"name": "a"}, {"name": "a"}]}},
        {"data": {"indicators": [{"indicator_id": "i"}, {"indicator_id": "i"}]}},
        {"tlp": "RED", "recipients": ["vr01"], "data": {"addressees": ["vr02"]}},
    ]
    assert not any(_keeps(event) for event in breaking)
    assert _keeps({"tlp": "RED", "recipients": ["vr02"], "data": {"addressees": ["vr02"]}})


@schema.parametrize()
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_bridge_answers_as_its_document_says(case: Any) -> None:
    """Schemathesis's checks pass on every operation, with a valid key."""
    _, key, _ = BRIDGE
    load_all_checks()
    checks = list(CHECKS.get_all())
    if case.operation.label == "POST /v1/events":
        assume(keeps_the_rules(case.body))
    if case.operation.label in POSITIVE_UNPROVABLE:
        checks = [check for check in checks if check.__name__ != "positive_data_acceptance"]
    assert len(checks) >= 10
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=checks)


async def test_every_example_is_accepted_with_any_key(
    bridge: tuple[Any, str, KeepingPublisher],
) -> None:
    """Every publishing route's examples, posted with vr07's key (none names vr07), are 202."""
    app, key, publisher = bridge
    spec = app.openapi()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as http:
        posts = [path for path, item in spec["paths"].items() if "post" in item]
        assert {"/v1/events", "/v1/cap", "/v1/edxl", "/v1/capacity.csv"} <= set(posts)
        for path in posts:  # a route added later comes with examples too
            content = spec["paths"][path]["post"]["requestBody"]["content"]
            for media_type, entry in content.items():
                examples = [e["value"] for e in entry.get("examples", {}).values()]
                examples += [entry["example"]] if "example" in entry else []
                assert examples, f"{path} {media_type} has no example"
                for example in examples:
                    body = example.encode() if isinstance(example, str) else json.dumps(example)
                    before = len(publisher.published)
                    response = await http.post(
                        path,
                        content=body,
                        headers={"Content-Type": media_type, "Authorization": f"Bearer {key}"},
                    )
                    assert response.status_code == 202, (path, media_type, response.text)
                    assert len(publisher.published) > before
                    assert all(e.source == ORG for e in publisher.published[before:])


def test_the_document_describes_bodies_statuses_and_the_resume_header(
    bridge: tuple[Any, str, KeepingPublisher],
) -> None:
    """Event schemas from the contracts, XML and CSV bodies, statuses, Last-Event-ID."""
    spec = bridge[0].openapi()
    schemas = spec["components"]["schemas"]
    assert "CloudEvent.incident.reported" in schemas
    assert "CloudEvent.clock.ticked" not in schemas
    incident = schemas["CloudEvent.incident.reported"]
    assert "source" not in incident["required"]
    assert "subject" not in incident["properties"]
    grip = schemas["IncidentReportedData"]["properties"]["grip_level"]
    assert "3" in json.dumps(grip)
    assert "enum" in json.dumps(grip)
    for path in ("/v1/events", "/v1/cap", "/v1/edxl", "/v1/capacity.csv"):
        post = spec["paths"][path]["post"]
        assert {"202", "401", "403", "413", "415", "422"} <= set(post["responses"])
        assert "application/problem+json" in post["responses"]["422"]["content"]
    assert "application/cap+xml" in spec["paths"]["/v1/cap"]["post"]["requestBody"]["content"]
    csv = spec["paths"]["/v1/capacity.csv"]["post"]["requestBody"]["content"]["text/csv"]
    assert [c["name"] for c in csv["schema"]["x-kcr-columns"]][:3] == [
        "resource_type", "total", "available"
    ]  # fmt: skip
    patterns = re.findall(r'"pattern": "([^"]*)"', json.dumps(schemas))
    assert patterns
    assert not [p for p in patterns if "\\\\s" in p or "\\\\S" in p]  # spelt out
    (header,) = spec["paths"]["/v1/outbox"]["get"]["parameters"]
    assert header["name"] == "Last-Event-ID"
    assert "pattern" in header["schema"]
