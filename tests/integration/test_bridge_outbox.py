"""The outbox as server-sent events on the real broker: disconnect, resume, none lost or doubled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import httpx

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from tests.integration.bridge_support import first_line, issue_keys, read_sse, running_bridge
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    publish,
    unique_prefix,
)


async def test_last_event_id_resumes_without_loss_or_repeat(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """3 items, disconnect, 3 more, resume from the last id: items 4-6; then exactly item 7."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr07",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr07")
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    items = [fresh_example("incident.reported") for _ in range(7)]
    outbox = names.outbox("vr07")
    auth = {"Authorization": f"Bearer {keys['vr07']}"}
    await publish(kafka_bootstrap, codec, outbox, items[:3])
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        first = await read_sse(http, "/v1/outbox", auth, 3)
        await publish(kafka_bootstrap, codec, outbox, items[3:6])
        resumed = await read_sse(http, "/v1/outbox", {**auth, "Last-Event-ID": first[-1].id}, 3)
        await publish(kafka_bootstrap, codec, outbox, items[6:])
        last = await read_sse(http, "/v1/outbox", {**auth, "Last-Event-ID": resumed[-1].id}, 1)
        everything = await read_sse(http, "/v1/outbox", auth, 7)
    delivered = [json.loads(m.data)["id"] for m in (*first, *resumed, *last)]
    assert delivered == [item.id for item in items]
    assert [m.id for m in (*first, *resumed, *last)] == [f"0-{n}" for n in range(7)]
    assert {m.event for m in everything} == {"nl.kcr.incident.reported"}
    assert [json.loads(m.data)["id"] for m in everything] == delivered


async def test_the_outbox_needs_the_organisations_key(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """401 without a key, 404 without an outbox topic, keep-alive comments while idle."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr07",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr07", "vr08")
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        anonymous = await http.get("/v1/outbox")
        no_topic = await http.get("/v1/outbox", headers={"X-API-Key": keys["vr08"]})
        idle = await first_line(http, "/v1/outbox", {"X-API-Key": keys["vr07"]})
    assert idle == ": keep-alive"
    assert anonymous.status_code == 401
    assert no_topic.status_code == 404
    assert no_topic.headers["content-type"] == "application/problem+json"
