"""The coordination story on the real broker and a running hub, outboxes included.

A flood in Zeeland (vr19) asks for 40 pumps; its neighbours get coordination requests in their
outboxes; offers and acceptance fulfil the request; the capacity overview shows the commitment;
an evacuation advice requested by the ministry is drafted for the validators, validated by the
LOCC and delivered to the ministry's outbox and to nobody else's.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import ResourceCapacityView
from hub.domain import testing as given
from hub.topics.declaration import TopicNames
from tests.hub_process import HubProcess
from tests.integration.live_support import crisis, outbox, until, views

pytestmark = pytest.mark.slow


def _types(items: list[BaseModel]) -> list[str]:
    return [item.type for item in items if isinstance(item, EventEnvelope)]


async def test_pumps_for_zeeland_and_validated_evacuation_advice(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """Requests reach the neighbours, the request is fulfilled, the advice only the ministry."""
    env = live_hub_env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    hub = HubProcess(env, tmp_path / "hub.log")
    await asyncio.to_thread(hub.wait_ready)
    try:
        async with crisis(env["KCR_BOOTSTRAP"], names, env["KCR_REGISTRY_URL"]) as c:
            now = datetime.now(UTC)
            await c.send(given.incident_reported("inc-z", now, "vr19", grip_level="4"))
            for org, pumps in (("vr19", 5), ("vr17", 30), ("vr20", 20), ("vr18", 15)):
                await c.send(
                    given.capacity_reported("pump", now, org, total=pumps, available=pumps)
                )
            for org, places in (("vr19", 2000), ("vr20", 8000), ("vr21", 5000)):
                await c.send(
                    given.capacity_reported(
                        "shelter_place", now, org, total=places, available=places
                    )
                )
            await c.send(
                given.assistance_requested(
                    "req-pumps", datetime.now(UTC), quantity=40, incident_id="inc-z"
                )
            )

            async def neighbours_asked() -> bool:
                boxes = [_types(await outbox(env, org)) for org in ("vr17", "vr20")]
                return all("nl.kcr.coordination.requested" in types for types in boxes)

            await until(neighbours_asked, "coordination requests in vr17's and vr20's outboxes")
            assert "nl.kcr.coordination.requested" not in _types(await outbox(env, "vr01"))

            later = datetime.now(UTC)
            await c.send(given.assistance_offered("req-pumps", later, source="vr17", quantity=25))
            await c.send(given.assistance_offered("req-pumps", later, source="vr20", quantity=20))
            accepted = datetime.now(UTC)
            await c.send(
                given.assistance_accepted("req-pumps", accepted, offer_id="vr17-offer", quantity=25)
            )
            await c.send(
                given.assistance_accepted("req-pumps", accepted, offer_id="vr20-offer", quantity=20)
            )

            async def committed_40() -> bool:
                pumps = (await views(env, "capacity")).get("resource/pump")
                return isinstance(pumps, ResourceCapacityView) and pumps.committed == 40

            await until(committed_40, "40 pumps committed in the capacity view")
            assert "nl.kcr.assistance.fulfilled" in _types(await outbox(env, "vr19"))

            asked = datetime.now(UTC)
            await c.send(given.advice_requested("adv-evac", asked, source="min-jenv", region="vr19",
                                                parameters={"people": 12000}))  # fmt: skip

            async def drafted_for_validators() -> bool:
                return "nl.kcr.advice.drafted" in _types(await outbox(env, "locc"))

            await until(drafted_for_validators, "the advice draft in the LOCC's outbox")
            assert "nl.kcr.advice.drafted" not in _types(await outbox(env, "min-jenv"))
            await c.send(given.advice_validated("adv-evac", datetime.now(UTC), source="locc"))

            async def published_to_ministry() -> bool:
                return "nl.kcr.advice.published" in _types(await outbox(env, "min-jenv"))

            await until(published_to_ministry, "the validated advice in the ministry's outbox")
        receivers = [
            org for org in load_registry().ids() if org != "hub"
            and "nl.kcr.advice.published" in _types(await outbox(env, org))
        ]  # fmt: skip
        assert receivers == ["min-jenv"]
    finally:
        await asyncio.to_thread(hub.stop)
        print(hub.output()[-8000:])  # shown by pytest when the test fails
