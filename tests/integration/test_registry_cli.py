"""``kcr registry serve`` as a process on the real broker: it serves; SIGTERM stops it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from hub.registry.access import hub_login
from hub.settings import Settings
from tests.harness import free_port


async def wait_until_answering(url: str, process: asyncio.subprocess.Process) -> None:
    """Poll ``url`` until the registry answers (or fail when the process dies or 60 s pass)."""
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(600):
            assert process.returncode is None, "the registry process exited"
            try:
                if (await client.get("/")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 60 s")


async def test_serve_command_answers_and_stops_on_sigterm(
    kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """The command serves the API on the given port, only the hub writes; SIGTERM ends it."""
    port, topic = free_port(), unique_name("_kcr_schemas")
    command = [sys.executable, "-m", "hub.cli", "registry", "serve", "--port", str(port)]
    command += ["--topic", topic]
    env = {**os.environ, "KCR_BOOTSTRAP": kafka_bootstrap, "KCR_DATA_DIR": str(tmp_path)}
    env.pop("KCR_CREDENTIALS_FILE", None)
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_until_answering(url, process)
        login = hub_login(Settings(data_dir=tmp_path))
        async with httpx.AsyncClient(base_url=url) as client:
            schema = {"schema": '"string"'}
            anonymous = await client.post("/subjects/s/versions", json=schema)
            assert anonymous.status_code == 401
            response = await client.post("/subjects/s/versions", json=schema, auth=login)
            assert response.json() == {"id": 1}
            assert (await client.get("/config")).json() == {"compatibilityLevel": "FULL_TRANSITIVE"}
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
    assert process.returncode == 0, output.decode()
    assert b"registry.stopped" in output
