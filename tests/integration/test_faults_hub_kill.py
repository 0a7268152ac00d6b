"""The gateway and the processors killed with SIGKILL under steady load, then restarted.

The hub runs as three ``kcr run`` processes (registry and clock; the gateway; the processors)
so each can be killed alone while twelve regions keep publishing through the SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from pathlib import Path

import pytest

from tests.hub_process import HubProcess
from tests.integration.fault_support import (
    READY_TIMEOUT,
    assert_snapshots_saved,
    hub_part,
    settle_and_reconcile,
    steady_load,
    stop_or_kill,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


async def _restart(process: HubProcess, env: dict[str, str], *keep: str) -> HubProcess:
    """SIGKILL ``process``, wait a moment, start the same services again and wait for them."""
    await asyncio.to_thread(process.kill)
    await asyncio.sleep(2)
    again = hub_part(env, process.log, *keep)
    await asyncio.to_thread(again.wait_ready, READY_TIMEOUT)
    return again


async def test_gateway_and_processors_killed_under_load_lose_and_double_nothing(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """SIGKILL the gateway, later the processors, mid-load: every id logged once, views = replay."""
    env = live_hub_env
    base = hub_part(env, tmp_path / "base.log", "registry", "clock")
    parts = [base]
    try:
        await asyncio.to_thread(base.wait_ready, READY_TIMEOUT)
        gateway = hub_part(env, tmp_path / "gateway.log", "gateway")
        processors = hub_part(env, tmp_path / "processors.log", "processors")
        parts += [gateway, processors]
        await asyncio.to_thread(gateway.wait_ready, READY_TIMEOUT)
        await asyncio.to_thread(processors.wait_ready, READY_TIMEOUT)
        async with steady_load(env, "kill") as load:
            await asyncio.sleep(8)
            gateway = await _restart(gateway, env, "gateway")
            parts.append(gateway)
            await asyncio.sleep(6)
            processors = await _restart(processors, env, "processors")
            parts.append(processors)
            await asyncio.sleep(6)
        counts = await settle_and_reconcile(env, load)
        assert counts.deadlettered == 0, counts.line()
        assert "worker.count_mismatch" not in processors.output()
        assert_snapshots_saved(processors)
    finally:
        for part in reversed(parts):
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(stop_or_kill, part)
        for name in ("gateway", "processors", "base"):
            print(f"--- {name}\n" + (tmp_path / f"{name}.log").read_text()[-4000:])
