"""A scripted crisis through the real broker and running hub: views, signals, restart, replay.

The hub runs as ``kcr run`` (registry, gateway, clock, Faust worker) in its own process, on
topics of this test's own. Events are published as partners would. The worker is killed with
SIGKILL mid-stream and restarted; at the end the views and signals it published equal, field
for field, what a replay of the log computes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.contracts.outputs import EscalationEvent, RegionView, ResourceCapacityView
from hub.domain import testing as given
from hub.history.readers import active_signals
from hub.topics.declaration import TopicNames
from tests.hub_process import HubProcess
from tests.integration.live_support import (
    assert_live_equals_replay,
    assert_ticks_count_the_log,
    crisis,
    signals_of,
    until,
    views,
)

pytestmark = pytest.mark.slow


def _active(signals: list[EscalationEvent]) -> set[str]:
    return {event.data.signal_id for event in active_signals(signals)}


async def test_scripted_crisis_views_signals_restart_and_replay(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """GRIP 4, supra-regional floods, a capacity drop and a silent region: raised, then resolved."""
    hub_env = live_hub_env
    names = TopicNames(hub_env["KCR_TOPIC_PREFIX"])
    log = tmp_path / "hub.log"
    hub = HubProcess(hub_env, log)
    await asyncio.to_thread(hub.wait_ready)
    try:
        async with crisis(hub_env["KCR_BOOTSTRAP"], names, hub_env["KCR_REGISTRY_URL"]) as c:
            now = datetime.now(UTC)
            for org in ("vr19", "vr17", "vr20"):
                await c.send(given.capacity_reported("pump", now, org, total=100, available=90))
            await c.send(given.incident_reported("inc-zl", now, "vr19", grip_level="2"))

            async def vr19_at_grip_2() -> bool:
                region = (await views(hub_env, "situation")).get("region/vr19")
                return isinstance(region, RegionView) and region.highest_grip == "2"

            await until(vr19_at_grip_2, "vr19 at GRIP 2 in the situation view")

            # the worker dies mid-stream; events keep arriving at the broker meanwhile
            await asyncio.to_thread(hub.kill)
            await c.send(
                given.incident_updated("inc-zl", datetime.now(UTC), "vr19", grip_level="4")
            )
            await c.send(
                given.incident_reported("inc-rr", datetime.now(UTC), "vr17", grip_level="2")
            )
            for org in ("vr19", "vr17", "vr20"):
                await c.send(
                    given.capacity_reported("pump", datetime.now(UTC), org, total=100, available=5)
                )
            c.quiet.add("vr24")
            hub = HubProcess(hub_env, log)
            await asyncio.to_thread(hub.wait_ready)

            raised = {"grip-high/inc-zl", "supra-regional/flood", "capacity-shortfall/pump",
                      "silent-organisation/vr24"}  # fmt: skip

            async def all_raised() -> bool:
                return raised <= _active(await signals_of(hub_env))

            await until(all_raised, f"signals {sorted(raised)}", timeout=90)
            situation = await views(hub_env, "situation")
            vr19 = situation["region/vr19"]
            assert isinstance(vr19, RegionView)
            assert vr19.highest_grip == "4"
            assert vr19.active_incidents == ("inc-zl",)
            pumps = (await views(hub_env, "capacity"))["resource/pump"]
            assert isinstance(pumps, ResourceCapacityView)
            assert (pumps.total, pumps.available) == (300, 15)

            # the crisis clears: every signal resolves
            c.quiet.clear()
            later = datetime.now(UTC)
            await c.send(given.incident_closed("inc-zl", later, "vr19"))
            await c.send(given.incident_closed("inc-rr", later, "vr17"))
            for org in ("vr19", "vr17", "vr20"):
                await c.send(given.capacity_reported("pump", later, org, total=100, available=80))

            async def all_resolved() -> bool:
                return not (raised & _active(await signals_of(hub_env)))

            await until(all_resolved, "every signal resolved", timeout=90)
        await assert_live_equals_replay(hub_env, names)
        await assert_ticks_count_the_log(hub_env, names)
        assert "worker.count_mismatch" not in hub.output()
    finally:
        await asyncio.to_thread(hub.stop)
        print(hub.output()[-8000:])  # shown by pytest when the test fails
