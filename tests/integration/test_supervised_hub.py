"""``kcr run`` on the real broker: each service its own process, a killed one restarted.

The processors' process is killed with SIGKILL while the hub runs. The supervisor reports the
hub not ready, starts the processors again, says the hub is ready once more, and the views move
again: an incident reported after the restart reaches the situation view.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.cli.run_cmd import READY_LINE
from hub.contracts.outputs import RegionView
from hub.domain import testing as given
from hub.services import SERVICE_NAMES
from hub.topics.declaration import TopicNames
from tests.hub_process import HubProcess
from tests.integration.live_support import crisis, until, views

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _supervisor_events(output: str, event: str) -> list[dict[str, object]]:
    """The supervisor's own JSON log lines named ``event`` (children's lines are prefixed)."""
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry.get("event") == event]


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


async def _grip_of(env: dict[str, str], region: str) -> str | None:
    view = (await views(env, "situation")).get(f"region/{region}")
    return view.highest_grip if isinstance(view, RegionView) else None


async def test_each_service_runs_alone_and_killed_processors_come_back(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """Six child processes; SIGKILL of the processors: reported, restarted, ready, views move."""
    env = {**live_hub_env, "KCR_DATA_DIR": str(tmp_path / "data")}
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    hub = HubProcess(env, tmp_path / "hub.log")
    try:
        await asyncio.to_thread(hub.wait_ready, 240)
        started = _supervisor_events(hub.output(), "supervisor.service_started")
        pids = {str(entry["service"]): int(str(entry["pid"])) for entry in started}
        assert set(pids) == set(SERVICE_NAMES)
        assert len(set(pids.values())) == len(SERVICE_NAMES)
        assert all(_parent_of(pid) == hub.popen.pid for pid in pids.values())
        assert (Path(env["KCR_DATA_DIR"]) / "logs" / "processors.log").exists()

        os.kill(pids["processors"], signal.SIGKILL)

        async def ready_again() -> bool:
            return hub.output().count(READY_LINE) >= 2

        await until(ready_again, "the hub ready again after the restart", timeout=240)
        output = hub.output()
        down = "KCR hub not ready: processors exited with code -9; restart 1 in 1 s"
        assert down in output
        assert output.index(down) < output.rindex(READY_LINE)
        (restarted,) = _supervisor_events(output, "supervisor.service_restarted")
        assert (restarted["service"], restarted["attempt"]) == ("processors", 1)

        async with crisis(env["KCR_BOOTSTRAP"], names, env["KCR_REGISTRY_URL"]) as c:
            await c.send(
                given.incident_reported("inc-up", datetime.now(UTC), "vr07", grip_level="3")
            )

            async def vr07_at_grip_3() -> bool:
                return await _grip_of(env, "vr07") == "3"

            await until(vr07_at_grip_3, "vr07 at GRIP 3 after the restart", timeout=120)
        assert hub.stop() == 0, hub.output()[-6000:]
    finally:
        if hub.popen.poll() is None:
            hub.kill()
        print(hub.output()[-8000:])  # shown by pytest when the test fails
