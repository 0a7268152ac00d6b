"""The dashboard app without Kafka: headers, sign-in, sessions and who may decide on advice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.dashboard.app import CSP, create_app
from hub.dashboard.context import DashboardContext
from hub.dashboard.session import SESSION_COOKIE, SessionSigner
from hub.topics.declaration import TopicNames

BASE = "http://testserver"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    """One API key each for the LOCC and Rotterdam-Rijnmond."""
    store = ApiKeyStore(tmp_path / "keys.json")
    return {org: store.add(org, "2026-12-01T00:00:00+00:00") for org in ("locc", "vr17")}


@pytest.fixture
def client(tmp_path: Path, keys: dict[str, str]) -> Iterator[TestClient]:
    """The app on a context whose publisher never connects (no route here publishes)."""
    codec = EventCodec(HttpSchemaRegistry("http://127.0.0.1:9"))
    context = DashboardContext(
        keys=ApiKeyStore(tmp_path / "keys.json"),
        signer=SessionSigner(b"k" * 32),
        publisher=IngressPublisher("127.0.0.1:9", TopicNames("unit"), codec, {}),
        codec=codec,
        bootstrap="127.0.0.1:9",
    )
    with TestClient(create_app(context), base_url=BASE) as test_client:
        yield test_client


def test_every_response_carries_the_strict_csp(client: TestClient) -> None:
    """The page, its script and an API error all send the CSP without 'unsafe-inline'."""
    for path in ("/", "/static/dashboard.js", "/static/dashboard.css", "/api/me"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CSP, path
    assert "unsafe-inline" not in CSP
    assert "default-src 'self'; script-src 'self'; style-src 'self'" in CSP


def test_the_page_has_no_inline_script_or_style(client: TestClient) -> None:
    """index.html loads its script and style from files only."""
    page = client.get("/").text
    assert "<style" not in page
    assert "style=" not in page
    assert '<script src="/static/dashboard.js"' in page
    assert "<script>" not in page
    assert " on" + "click=" not in page


def test_sign_in_sets_a_strict_http_only_cookie(client: TestClient, keys: dict[str, str]) -> None:
    """A good key gives the organisation and a HttpOnly, SameSite=Strict session cookie."""
    response = client.post("/api/session", json={"key": keys["vr17"]})
    assert response.status_code == 200, response.text
    assert response.json()["org"] == "vr17"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert client.get("/api/me").json()["org"] == "vr17"


def test_a_wrong_key_or_no_session_is_401(client: TestClient, keys: dict[str, str]) -> None:
    """A wrong key signs nobody in; without a cookie the API answers 401."""
    assert client.post("/api/session", json={"key": keys["vr17"] + "x"}).status_code == 401
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/stream").status_code == 401
    client.cookies.set(SESSION_COOKIE, "ncc.9999999999.forged")
    assert client.get("/api/me").status_code == 401


def test_a_region_may_not_validate_advice(client: TestClient, keys: dict[str, str]) -> None:
    """vr17 is refused (403) before anything is published."""
    client.post("/api/session", json={"key": keys["vr17"]})
    response = client.post("/api/advice/adv-1/validate", json={"text": ""})
    assert response.status_code == 403
    assert "vr17 may not validate advice" in response.json()["error"]


def test_cross_origin_posts_are_refused(client: TestClient, keys: dict[str, str]) -> None:
    """A POST with another Origin is refused, even with a valid session."""
    client.post("/api/session", json={"key": keys["locc"]})
    response = client.post(
        "/api/advice/adv-1/reject", json={"text": "no"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 400


def test_sign_out_clears_the_session(client: TestClient, keys: dict[str, str]) -> None:
    """After DELETE /api/session the API answers 401 again."""
    client.post("/api/session", json={"key": keys["locc"]})
    assert client.delete("/api/session").status_code == 200
    assert client.get("/api/me").status_code == 401


def test_the_tiles_are_served(client: TestClient) -> None:
    """GET /api/tiles gives the 25 regions' cells."""
    tiles = client.get("/api/tiles").json()
    assert len(tiles) == 25
    assert {"region_id", "name", "col", "row"} <= set(tiles[0])
