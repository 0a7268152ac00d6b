"""The bridge's limits in process: 401 challenges, a slot cap per organisation, slow bodies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hub.bridge.app import create_app
from hub.bridge.config import BridgeConfig
from hub.bridge.context import BridgeContext
from hub.bridge.keys import ApiKeyStore
from hub.bridge.limits import BridgeLimits, OrgSlots
from hub.bridge.publisher import IngressPublisher
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.settings import Settings
from hub.topics.declaration import TopicNames

CE = {"Content-Type": "application/cloudevents+json"}


def _app(tmp_path: Path, limits: BridgeLimits) -> tuple[httpx.AsyncClient, str]:
    keys = ApiKeyStore(tmp_path / "keys.json")
    key = keys.add("vr07", "2026-11-27T06:00:00+00:00")
    codec = EventCodec(HttpSchemaRegistry("http://127.0.0.1:9"))
    publisher = IngressPublisher("127.0.0.1:9", TopicNames("t"), codec, {})
    context = BridgeContext(
        keys, publisher, codec, "127.0.0.1:9", limits=limits,
        slots=OrgSlots(limits.max_requests_per_org),
    )  # fmt: skip
    transport = httpx.ASGITransport(app=create_app(context))
    return httpx.AsyncClient(transport=transport, base_url="http://bridge"), key


@pytest.fixture
async def bridge(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A bridge allowing one request in flight per organisation and 0.5 s for a body."""
    http, key = _app(tmp_path, BridgeLimits(body_timeout_s=0.5, max_requests_per_org=1))
    async with http:
        yield http, key


async def test_every_401_carries_a_bearer_challenge(
    bridge: tuple[httpx.AsyncClient, str],
) -> None:
    """A missing key and a wrong key are 401 with WWW-Authenticate (RFC 9110 11.6.1)."""
    http, key = bridge
    missing = await http.post("/v1/events", content=b"{}", headers=CE)
    wrong = await http.get("/v1/outbox", headers={"Authorization": f"Bearer {key}x"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["www-authenticate"] == 'Bearer realm="kcr-bridge"'
    assert wrong.headers["www-authenticate"] == 'Bearer realm="kcr-bridge", error="invalid_token"'


async def _slow_body(release: asyncio.Event) -> AsyncIterator[bytes]:
    yield b"{"
    await release.wait()
    yield b"}"


async def test_an_organisation_over_its_request_cap_gets_429(
    bridge: tuple[httpx.AsyncClient, str],
) -> None:
    """While vr07's one slot is held by a request, its next request is 429 with Retry-After."""
    http, key = bridge
    headers = {**CE, "X-API-Key": key}
    release = asyncio.Event()
    held = asyncio.create_task(
        http.post("/v1/events", content=_slow_body(release), headers=headers)
    )
    await asyncio.sleep(0.1)
    refused = await http.post("/v1/events", content=b"{}", headers=headers)
    release.set()
    first = await held
    after = await http.post("/v1/events", content=b"{}", headers=headers)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert "vr07" in refused.json()["detail"]
    assert (first.status_code, after.status_code) == (422, 422)  # {} is no event, but served


async def test_a_body_slower_than_the_timeout_is_408(
    bridge: tuple[httpx.AsyncClient, str],
) -> None:
    """A body that does not finish within body_timeout_s is answered 408 and its slot freed."""
    http, key = bridge
    headers = {**CE, "X-API-Key": key}
    response = await http.post("/v1/events", content=_slow_body(asyncio.Event()), headers=headers)
    assert response.status_code == 408
    assert response.json()["type"] == "urn:kcr:problem:body-timeout"
    assert (await http.post("/v1/events", content=b"{}", headers=headers)).status_code == 422


def test_slots_are_counted_per_organisation() -> None:
    """Each organisation has its own cap; a slot given back can be taken again."""
    slots = OrgSlots(2)
    assert [slots.take("vr07"), slots.take("vr07"), slots.take("vr07")] == [True, True, False]
    assert slots.take("vr08")
    slots.give_back("vr07")
    assert slots.take("vr07")


def test_limits_come_from_the_settings(tmp_path: Path) -> None:
    """KCR_BRIDGE_* timeouts and caps reach the bridge's configuration."""
    settings = Settings(
        data_dir=tmp_path, bridge_header_timeout_s=2, bridge_body_timeout_s=3,
        bridge_max_connections_per_peer=4, bridge_max_requests_per_org=5,
    )  # fmt: skip
    assert BridgeConfig.from_settings(settings).limits == BridgeLimits(2, 3, 4, 5)
