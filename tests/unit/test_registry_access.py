"""A registry only the hub writes: reads open, writes need the hub's credentials (401 otherwise)."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.registry import MemoryRecordLog, Registry
from hub.registry.access import (
    LOCAL_USER,
    TOKEN_FILE,
    WriteAccess,
    changes_registry,
    hub_login,
    local_token,
    write_access,
)
from hub.registry.app import create_app
from hub.registry.errors import Unauthenticated
from hub.security.credentials import generate_credentials, write_credentials
from hub.settings import Settings

SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Incident",
    "namespace": "nl.kcr",
    "fields": [{"name": "id", "type": "string"}],
}
BODY = {"schema": json.dumps(SCHEMA)}
ACCESS = WriteAccess({"hub": "s3cret"}, "user hub and the test's token")
GOOD = {"Authorization": "Basic " + base64.b64encode(b"hub:s3cret").decode()}
WRONG = {"Authorization": "Basic " + base64.b64encode(b"hub:guess").decode()}


@pytest.mark.parametrize(
    ("method", "path", "writes"),
    [
        ("GET", "/subjects", False),
        ("GET", "/schemas/ids/1", False),
        ("GET", "/config", False),
        ("HEAD", "/subjects/s/versions", False),
        ("POST", "/subjects/s", False),  # lookup
        ("POST", "/compatibility/subjects/s/versions/latest", False),
        ("POST", "/subjects/s/versions", True),
        ("PUT", "/config", True),
        ("PUT", "/config/s", True),
        ("PUT", "/mode", True),
        ("DELETE", "/subjects/s", True),
        ("DELETE", "/subjects/s/versions/1", True),
        ("DELETE", "/config", True),
        ("PATCH", "/anything/new", True),
    ],
)
def test_every_request_but_reads_and_lookups_is_a_write(
    method: str, path: str, writes: bool
) -> None:
    """Closed by default: only GET/HEAD/OPTIONS, lookups and compatibility checks are reads."""
    assert changes_registry(method, path) is writes


def test_check_accepts_basic_and_bearer_of_a_writer_only() -> None:
    """The right password as Basic or Bearer passes; anything else names what is wrong."""
    assert ACCESS.check(GOOD["Authorization"]) == "hub"
    assert ACCESS.check("Bearer s3cret") == "hub"
    refusals = {
        None: "No credentials",
        WRONG["Authorization"]: "wrong",
        "Bearer guess": "wrong",
        "Basic !!!": "not base64",
        "Basic " + base64.b64encode(b"hub").decode(): "no ':'",
        "Digest x": "not Basic or Bearer",
    }
    for header, problem in refusals.items():
        with pytest.raises(Unauthenticated, match=problem) as info:
            ACCESS.check(header)
        assert info.value.fix is not None
        assert "Authorization" in info.value.fix


def test_the_local_token_is_private_and_the_same_for_every_process(tmp_path: Path) -> None:
    """Written once with mode 0600; racing writers all end up with the first one's token."""
    path = tmp_path / "data" / TOKEN_FILE
    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda _: local_token(path), range(16)))
    assert len(tokens) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_token(path) in tokens
    assert [p.name for p in path.parent.iterdir()] == [TOKEN_FILE]


def test_without_a_credentials_file_registry_and_clients_share_the_local_token(
    tmp_path: Path,
) -> None:
    """The registry's writer and the hub client's login come from the same data dir."""
    settings = Settings(data_dir=tmp_path)
    access = write_access(settings)
    user, password = hub_login(settings, "gateway")
    assert user == LOCAL_USER
    assert access.logins == {LOCAL_USER: password}


def test_with_a_credentials_file_only_hub_service_users_write(tmp_path: Path) -> None:
    """Each hub service logs in as itself; partner organisations are not writers."""
    path = tmp_path / "credentials.json"
    credentials = generate_credentials(["admin", "gateway", "processors", "registry", "vr07"])
    write_credentials(path, credentials)
    settings = Settings(credentials_file=path, data_dir=tmp_path / "unused")
    access = write_access(settings)
    assert set(access.logins) == {"admin", "gateway", "processors", "registry"}
    assert hub_login(settings, "processors") == ("processors", credentials.users["processors"])
    assert hub_login(settings) == ("admin", credentials.users["admin"])
    vr07 = base64.b64encode(f"vr07:{credentials.users['vr07']}".encode()).decode()
    with pytest.raises(Unauthenticated):
        access.check(f"Basic {vr07}")
    assert not (tmp_path / "unused").exists()


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    """A client of a closed registry (writer hub:s3cret) holding one schema, id 1."""
    registry = await Registry.load(MemoryRecordLog())
    transport = httpx.ASGITransport(app=create_app(registry, ACCESS))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        response = await client.post("/subjects/s/versions", json=BODY, headers=GOOD)
        assert response.json() == {"id": 1}
        yield client


WRITES = [
    ("POST", "/subjects/t/versions", BODY),
    ("PUT", "/config", {"compatibility": "NONE"}),
    ("PUT", "/config/s", {"compatibility": "NONE"}),
    ("PUT", "/mode", {"mode": "READWRITE"}),
    ("DELETE", "/config", None),
    ("DELETE", "/subjects/s/versions/1", None),
    ("DELETE", "/subjects/s", None),
]


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
@pytest.mark.parametrize("headers", [{}, WRONG, {"Authorization": "Bearer guess"}])
async def test_writes_without_the_hubs_credentials_are_401(
    api: httpx.AsyncClient,
    method: str,
    path: str,
    payload: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    """Anonymous or wrong: 401, WWW-Authenticate, Confluent's body with the fix; nothing changed."""
    response = await api.request(method, path, json=payload, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    body = response.json()
    assert body["error_code"] == 40101
    assert "credentials" in body["message"]
    assert "Fix: send Authorization" in body["message"]
    assert (await api.get("/subjects")).json() == ["s"]
    assert (await api.get("/config")).json() == {"compatibilityLevel": "FULL_TRANSITIVE"}


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
async def test_the_hubs_credentials_may_write(
    api: httpx.AsyncClient, method: str, path: str, payload: dict[str, Any] | None
) -> None:
    """With the writer's Basic or Bearer credentials every write is served."""
    headers = GOOD if "subjects" in path else {"Authorization": "Bearer s3cret"}
    response = await api.request(method, path, json=payload, headers=headers)
    assert response.status_code == 200, response.text


async def test_reads_stay_open_to_anyone(api: httpx.AsyncClient) -> None:
    """Fetch by id, list, look up and check compatibility anonymously, as partners' serdes do."""
    assert (await api.get("/schemas/ids/1")).json()["schema"]
    assert (await api.get("/subjects")).json() == ["s"]
    assert (await api.get("/subjects/s/versions/latest")).json()["id"] == 1
    assert (await api.post("/subjects/s", json=BODY)).json()["id"] == 1
    compatible = await api.post("/compatibility/subjects/s/versions/latest", json=BODY)
    assert compatible.json() == {"is_compatible": True}
    assert (await api.get("/mode")).json() == {"mode": "READWRITE"}


async def test_trailing_slashes_are_served_not_redirected(api: httpx.AsyncClient) -> None:
    """/config/ and /subjects/ answer 200 with a body (a 307 breaks stock clients)."""
    config = await api.get("/config/")
    subjects = await api.get("/subjects/")
    assert (config.status_code, config.json()) == (200, {"compatibilityLevel": "FULL_TRANSITIVE"})
    assert (subjects.status_code, subjects.json()) == (200, ["s"])
    anonymous = await api.put("/config/", json={"compatibility": "NONE"})
    assert anonymous.status_code == 401


async def test_only_readwrite_mode_is_accepted(api: httpx.AsyncClient) -> None:
    """PUT /mode with another mode is refused (42205) even for the hub."""
    response = await api.put("/mode", json={"mode": "READONLY"}, headers=GOOD)
    assert (response.status_code, response.json()["error_code"]) == (422, 42205)
