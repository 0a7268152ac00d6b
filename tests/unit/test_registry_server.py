"""The embedded uvicorn server of the registry, over an in-memory record log (no broker)."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import httpx
import pytest

from hub.registry import MemoryRecordLog, RegistryConfig, RegistryServer
from hub.registry.errors import RegistryPortInUse
from hub.registry.records import SchemaVersionWritten
from hub.settings import Settings


def test_config_from_settings_listens_where_the_registry_url_points(tmp_path: Path) -> None:
    """Host and port come from KCR_REGISTRY_URL, the broker from KCR_BOOTSTRAP; it is closed."""
    settings = Settings(
        bootstrap="kafka:9092", registry_url="http://127.0.0.2:28081", data_dir=tmp_path
    )
    config = RegistryConfig.from_settings(settings)
    assert (config.bootstrap, config.host, config.port) == ("kafka:9092", "127.0.0.2", 28081)
    assert config.topic == "_kcr_schemas"
    assert config.access is not None
    assert set(config.access.logins) == {"hub"}


async def test_server_answers_http_until_stopped_and_then_frees_its_port() -> None:
    """A server on port 0 answers real HTTP, stops on the event and closes its socket."""
    log = MemoryRecordLog([SchemaVersionWritten("s", 1, 1, '"string"')])
    server = RegistryServer(RegistryConfig(bootstrap="unused:1", port=0), log=log)
    await server.start()
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(stop))
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/schemas/ids/1")).json() == {"schema": '"string"'}
            response = await client.post("/subjects/t/versions", json={"schema": json.dumps("int")})
            assert response.json() == {"id": 2}
    finally:
        stop.set()
        await serving
        await server.close()
    assert len(log.records) == 2
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", server.port))


async def test_a_taken_port_is_a_clear_error() -> None:
    """Starting on a port that another socket holds raises RegistryPortInUse with a fix."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = RegistryServer(
            RegistryConfig(bootstrap="unused:1", port=port), log=MemoryRecordLog()
        )
        with pytest.raises(RegistryPortInUse) as caught:
            await server.start()
    assert caught.value.port == port
    assert caught.value.fix is not None
    assert "--port" in caught.value.fix
