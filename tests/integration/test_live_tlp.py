"""TLP on the real broker and a running hub: a RED incident reaches its recipient and nobody else.

The attack of issue 16, replayed: vr07 reports a flood at GRIP 4, TLP RED, recipients ``[ncc]``,
while floods are active in vr08 and vr09 (AMBER) so a supra-regional signal is raised. The
NCC gets the incident's view (labelled RED in the ``kcr_tlp`` header) and its GRIP signal (RED);
the LOCC, vr08, vr09 and the shared view and signal topics get nothing that names the RED
incident or quotes its title, and the national view does not count it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from hub.codec.headers import header_map
from hub.contracts.events.envelope import Tlp
from hub.contracts.outputs import EscalationEvent, IncidentView, NationalSituationView
from hub.domain import testing as given
from hub.streams.outputs import TLP_HEADER
from hub.topics.declaration import TopicNames
from tests.hub_process import HubProcess
from tests.integration.live_support import (
    crisis,
    outbox,
    raw_records,
    signals_of,
    until,
    views,
)

pytestmark = pytest.mark.slow

SECRET_ID = "vr07:inc-secret"
SECRET_TITLE = "Dijkdoorbraak Lek bij Vianen (vertrouwelijk)"


def _names_the_secret(item: BaseModel) -> bool:
    text = item.model_dump_json()
    return SECRET_ID in text or SECRET_TITLE in text


async def test_a_red_incident_reaches_its_recipient_and_nothing_else(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """RED to [ncc]: in ncc's outbox, labelled; absent from every other outbox and shared topic."""
    env = live_hub_env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    hub = HubProcess(env, tmp_path / "hub.log")
    await asyncio.to_thread(hub.wait_ready)
    try:
        async with crisis(env["KCR_BOOTSTRAP"], names, env["KCR_REGISTRY_URL"]) as c:
            now = datetime.now(UTC)
            for org in ("vr08", "vr09"):
                await c.send(given.incident_reported(f"{org}:flood", now, org, grip_level="2"))
            await c.send(
                given.incident_reported(
                    SECRET_ID,
                    now,
                    "vr07",
                    title=SECRET_TITLE,
                    grip_level="4",
                    tlp="RED",
                    recipients=["ncc"],
                )
            )

            async def ncc_has_it() -> bool:
                items = await outbox(env, "ncc")
                views_ = [i for i in items if isinstance(i, IncidentView)]
                signals = [i for i in items if isinstance(i, EscalationEvent)]
                return any(v.incident_id == SECRET_ID for v in views_) and any(
                    SECRET_ID in s.data.signal_id for s in signals
                )

            async def supra_raised() -> bool:
                return any(s.data.rule == "supra_regional" for s in await signals_of(env))

            await until(ncc_has_it, "the RED incident's view and signal in ncc's outbox")
            await until(supra_raised, "the supra-regional signal over vr08 and vr09")
            await asyncio.sleep(3)  # a few more ticks: whatever would leak has leaked by now
        signal = next(
            i for i in await outbox(env, "ncc")
            if isinstance(i, EscalationEvent) and SECRET_ID in i.data.signal_id
        )  # fmt: skip
        assert signal.tlp is Tlp.RED
        assert set(signal.recipients) == {"ncc", "vr07"}
        labels = {
            header_map(r.headers).get(TLP_HEADER)
            for r in await raw_records(env["KCR_BOOTSTRAP"], names.outbox("ncc"))
            if r.key == f"incident/{SECRET_ID}".encode()
        }
        assert labels == {"RED"}
        for org in ("locc", "vr08", "vr09", "vr06", "vr18"):
            leaked = [i for i in await outbox(env, org) if _names_the_secret(i)]
            assert leaked == [], f"{org}'s outbox names the RED incident: {leaked}"
        situation = await views(env, "situation")
        assert [k for k, v in situation.items() if _names_the_secret(v)] == []
        national = situation["national"]
        assert isinstance(national, NationalSituationView)
        assert national.active_incidents == 2  # vr08's and vr09's floods; not the RED one
        assert [s.id for s in await signals_of(env) if _names_the_secret(s)] == []
    finally:
        hub.stop()
