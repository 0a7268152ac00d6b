"""The bridge as a service of ``kcr run``: its address is printed, its events reach the log."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from hub.codec.headers import header_map
from hub.contracts.events.catalogue import to_cloudevent_json
from hub.topics.declaration import TopicNames
from tests.harness import free_port
from tests.hub_process import HubProcess
from tests.integration.bridge_support import issue_keys
from tests.integration.gateway_support import fresh_example, wait_for_records

pytestmark = pytest.mark.slow


async def test_kcr_run_serves_the_bridge(live_hub_env: dict[str, str], tmp_path: Path) -> None:
    """An event POSTed to the bridge of a running hub goes through the gateway into the log."""
    port = free_port()
    keys = issue_keys(tmp_path / "keys.json", "vr19")
    env = {
        **live_hub_env,
        "KCR_BRIDGE_PORT": str(port),
        "KCR_BRIDGE_KEYS_FILE": str(tmp_path / "keys.json"),
        "KCR_DATA_DIR": str(tmp_path / "data"),
    }
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    hub = HubProcess(env, tmp_path / "hub.log", ("--without", "clock", "--without", "processors"))
    await asyncio.to_thread(hub.wait_ready)
    try:
        assert f"REST bridge: http://127.0.0.1:{port}" in hub.output()
        event = to_cloudevent_json(fresh_example("incident.reported"))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            response = await http.post(
                "/v1/events", json=event, headers={"X-API-Key": keys["vr19"]}
            )
        assert response.status_code == 202, response.text
        [logged] = await wait_for_records(env["KCR_BOOTSTRAP"], [names.log("incident")], 1)
        assert header_map(logged.headers)["ce_id"] == event["id"]
    finally:
        assert hub.stop() == 0, hub.output()
