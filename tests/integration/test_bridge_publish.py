"""The REST bridge on the real broker: publishes through the gateway, refuses all or nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import to_cloudevent_json
from tests.integration.bridge_support import issue_keys, running_bridge
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    read_all,
    running_gateway,
    unique_prefix,
    wait_for_records,
)

CE = {"Content-Type": "application/cloudevents-batch+json"}


def _incident(org: str, **data: Any) -> dict[str, Any]:
    event = fresh_example("incident.reported", source=org)
    document = to_cloudevent_json(event)
    document["data"].update(data)
    return document


async def test_published_events_land_in_the_log_through_the_gateway(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """A batch POSTed by vr19 is accepted (202) and the gateway writes it to the log."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr19",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr19")
    batch = [_incident("vr19"), _incident("vr19")]
    async with (
        running_gateway(kafka_bootstrap, names, registry_url),
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        response = await http.post(
            "/v1/events", json=batch, headers={**CE, "Authorization": f"Bearer {keys['vr19']}"}
        )
        assert response.status_code == 202, response.text
        assert response.json() == {
            "topic": names.ingress("vr19"),
            "ids": [d["id"] for d in batch],
        }
        logged = await wait_for_records(kafka_bootstrap, [names.log("incident")], 2)
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    events = [await codec.decode_event(record.value) for record in logged]
    assert [e.id for e in events] == [d["id"] for d in batch]
    assert all(e.ingested_at is not None for e in events)
    assert header_map(logged[0].headers)["ce_source"] == "vr19"
    assert not await read_all(kafka_bootstrap, [names.deadletter])


async def test_a_bad_event_is_422_naming_the_field_and_nothing_is_sent(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """One bad event of three: 422 naming event[2].data.grip_level, the ingress stays empty."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr19",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr19")
    batch = [_incident("vr19"), _incident("vr19"), _incident("vr19", grip_level="9")]
    auth = {"X-API-Key": keys["vr19"]}
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        refused = await http.post("/v1/events", json=batch, headers={**CE, **auth})
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert [e["field"] for e in problem["errors"]] == ["event[2].data.grip_level"]
        assert problem["instance"] == "/v1/events"
        assert not await read_all(kafka_bootstrap, [names.ingress("vr19")])
        good = await http.post("/v1/events", json=batch[0], headers={**CE, **auth})
        assert good.status_code == 202
    ingress = await read_all(kafka_bootstrap, [names.ingress("vr19")])
    assert [header_map(r.headers)["ce_id"] for r in ingress] == [batch[0]["id"]]


async def test_an_event_larger_than_the_gateway_admits_is_413_and_not_sent(
    kafka_bootstrap: str,
    unique_name: Callable[[str], str],
    registry_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the gateway's limit at 2,000 bytes a 5,000-character report is refused by name."""
    monkeypatch.setenv("KCR_GATEWAY_MAX_RECORD_BYTES", "2000")
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr19",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr19")
    batch = [_incident("vr19"), _incident("vr19", description="x" * 5000)]
    auth = {"X-API-Key": keys["vr19"]}
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        refused = await http.post("/v1/events", json=batch, headers={**CE, **auth})
    assert refused.status_code == 413
    assert [e["field"] for e in refused.json()["errors"]] == ["event[1]"]
    assert not await read_all(kafka_bootstrap, [names.ingress("vr19")])


async def test_a_key_of_vr07_cannot_publish_as_vr08(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """Source vr08 with vr07's key is 403; neither ingress topic receives anything."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr07", "vr08")
    )
    keys = issue_keys(tmp_path / "keys.json", "vr07", "vr08")
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        response = await http.post(
            "/v1/events", json=_incident("vr08"), headers={**CE, "X-API-Key": keys["vr07"]}
        )
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "event.source"
    assert not await read_all(kafka_bootstrap, [names.ingress("vr07"), names.ingress("vr08")])


async def test_csv_publishes_good_rows_and_names_bad_lines(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """A capacity list with one bad row: 422 naming line 3, the two good rows published."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr20",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr20")
    csv = (
        "resource_type,total,available,committed,valid_until,location,note\n"
        "pump,24,16,4,2030-11-27T18:00:00+01:00,,\n"
        "sandbag,100,120,0,2030-11-27T18:00:00+01:00,,\n"
        "bus,30,20,2,2030-11-28T06:00:00Z,Breda,\n"
    )
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        response = await http.post(
            "/v1/capacity.csv",
            content=csv.encode(),
            headers={"Content-Type": "text/csv", "X-API-Key": keys["vr20"]},
        )
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["line[3].available"]
    ingress = await read_all(kafka_bootstrap, [names.ingress("vr20")])
    assert sorted(header_map(r.headers)["ce_id"] for r in ingress) == sorted(problem["published"])
    assert len(ingress) == 2
    assert json.loads(response.content)["status"] == 422
