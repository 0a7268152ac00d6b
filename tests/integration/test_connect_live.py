"""Connectors against a whole running hub (``kcr run``): the example, EDXL-RM, CAP out.

One hub serves the module. The EDXL-RM story: vr17 and vr20 report pumps (CSV), vr19 asks for
pumps in an EDXL-RM RequestResource, the hub sends coordination requests to the neighbours'
outboxes, vr17 answers with an EDXL-RM CommitResource and the offer reaches the log. CAP out:
``kcr connect cap-out`` writes a signal (vr20) and a validated evacuation advice (min-jenv,
validated by the LOCC) as XSD-valid CAP files.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from connectors.schemas import CAP_1_2_XSD, load_schema
from connectors.sdk import ClientSettings, HubClient
from hub.contracts.outputs import AdviceDrafted, CoordinationRequested, ResourceCapacityView
from hub.domain import testing as given
from hub.topics.declaration import TopicNames
from tests.harness import free_port
from tests.hub_process import HubProcess
from tests.integration.connect_support import ids_in, kcr, log_topics, published_ids, rm_time
from tests.integration.live_support import outbox, reader, until, views

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"

REQUEST = """<?xml version="1.0" encoding="UTF-8"?>
<RequestResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
                 xmlns:rm="urn:oasis:names:tc:emergency:EDXL:RM:1.0">
  <MessageID>{message_id}</MessageID>
  <SentDateTime>{sent}</SentDateTime>
  <MessageContentType>RequestResource</MessageContentType>
  <ResourceInformation>
    <ResourceInfoElementID>1</ResourceInfoElementID>
    <Resource><rm:TypeStructure><rm:Value>Hoogcapaciteitspomp</rm:Value></rm:TypeStructure></Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:MeasuredQuantity><rm:Amount>12</rm:Amount></rm:MeasuredQuantity></rm:Quantity>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>RequestedArrival</rm:ScheduleType>
      <rm:DateTime>{needed_by}</rm:DateTime>
    </ScheduleInformation>
  </ResourceInformation>
</RequestResource>
"""

COMMIT = """<?xml version="1.0" encoding="UTF-8"?>
<CommitResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
                xmlns:rm="urn:oasis:names:tc:emergency:EDXL:RM:1.0">
  <MessageID>{message_id}-commit</MessageID>
  <SentDateTime>{sent}</SentDateTime>
  <MessageContentType>CommitResource</MessageContentType>
  <OriginatingMessageID>{message_id}</OriginatingMessageID>
  <ResourceInformation>
    <ResourceInfoElementID>1</ResourceInfoElementID>
    <ResponseInformation>
      <rm:PrecedingResourceInfoElementID>1</rm:PrecedingResourceInfoElementID>
      <rm:ResponseType>Accept</rm:ResponseType>
    </ResponseInformation>
    <Resource><rm:TypeStructure><rm:Value>pump</rm:Value></rm:TypeStructure></Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:MeasuredQuantity><rm:Amount>8</rm:Amount></rm:MeasuredQuantity></rm:Quantity>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>EstimatedDeparture</rm:ScheduleType>
      <rm:DateTime>{sent}</rm:DateTime>
    </ScheduleInformation>
  </ResourceInformation>
</CommitResource>
"""


@pytest.fixture(scope="module")
def hub_env(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A running hub on topics of this module's own prefix; its environment."""
    env = {
        **os.environ,
        "KCR_BOOTSTRAP": kafka_bootstrap,
        "KCR_TOPIC_PREFIX": f"live.connect.{uuid.uuid4().hex[:8]}",
        "KCR_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        "KCR_BRIDGE_PORT": str(free_port()),  # the REST bridge, if this hub runs one
        "KCR_DASHBOARD_PORT": str(free_port()),
    }
    hub = HubProcess(env, tmp_path_factory.mktemp("hub") / "hub.log")
    try:
        hub.wait_ready()
        yield env
    finally:
        hub.stop()


def _client(env: dict[str, str], org: str) -> HubClient:
    settings = ClientSettings(
        bootstrap=env["KCR_BOOTSTRAP"], org=org, registry_url=env["KCR_REGISTRY_URL"],
        topic_prefix=env["KCR_TOPIC_PREFIX"], group_id=f"test.{uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    return HubClient(settings)


async def test_the_sdk_example_publishes_and_prints_its_outbox(hub_env: dict[str, str]) -> None:
    """The example's two events reach the log and the hub's signal on them reaches its outbox."""
    command = [sys.executable, str(REPO / "examples" / "sdk_connector.py"), "--org", "vr19",
               "--seconds", "25"]  # fmt: skip
    result = await asyncio.to_thread(
        subprocess.run, command, env=hub_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    published = [
        line.split()[1] for line in result.stdout.splitlines() if line.startswith("published ")
    ]
    names = TopicNames(hub_env["KCR_TOPIC_PREFIX"])
    logged = await ids_in(hub_env["KCR_BOOTSTRAP"], log_topics(names))
    assert len(published) == 2
    assert set(published) <= set(logged)
    assert "outbox EscalationRaised nl.kcr.escalation.raised" in result.stdout


async def _coordination_request(
    env: dict[str, str], org: str, request_id: str
) -> CoordinationRequested:
    async with _client(env, org) as client, asyncio.timeout(90):
        async for item in client.outbox():
            if (
                isinstance(item, CoordinationRequested)
                and item.data.assistance_request_id == request_id
            ):
                await client.acknowledge(item, "accepted")
                return item
    raise AssertionError("the outbox ended")


async def test_edxl_rm_request_reaches_neighbours_and_their_commitment_the_log(
    hub_env: dict[str, str], tmp_path: Path
) -> None:
    """RequestResource → coordination requests in vr17's outbox → CommitResource → an offer."""
    env, now = hub_env, datetime.now(UTC)
    capacity = tmp_path / "pumps.csv"
    capacity.write_text(
        f"resource_type,total,available,valid_until\npump,30,30,{rm_time(now, 12)}\n"
    )
    for org in ("vr17", "vr20"):
        assert (await kcr(env, "connect", "csv", "--org", org, str(capacity))).returncode == 0

    async def pumps_reported() -> bool:
        pumps = (await views(env, "capacity")).get("resource/pump")
        assert pumps is None or isinstance(pumps, ResourceCapacityView)
        return pumps is not None and {"vr17", "vr20"} <= {o.org_id for o in pumps.per_organisation}

    await until(pumps_reported, "the pumps of vr17 and vr20 in the capacity view")
    message_id = f"vr19-rm-{uuid.uuid4().hex[:8]}"
    request = tmp_path / "request.xml"
    request.write_text(
        REQUEST.format(message_id=message_id, sent=rm_time(now), needed_by=rm_time(now, 3))
    )
    asked = await kcr(env, "connect", "edxl", "--org", "vr19", str(request))
    assert asked.returncode == 0, asked.stderr
    coordination = await _coordination_request(env, "vr17", f"rm-{message_id}-1")
    assert coordination.data.what == "pump"
    assert coordination.recipients == ("vr17",)

    commit = tmp_path / "commit.xml"
    commit.write_text(COMMIT.format(message_id=message_id, sent=rm_time(datetime.now(UTC))))
    offered = await kcr(env, "connect", "edxl", "--org", "vr17", str(commit))
    assert offered.returncode == 0, offered.stderr
    names, _codec = reader(env)

    async def offer_logged() -> bool:
        return set(published_ids(offered.stdout)) <= set(
            await ids_in(env["KCR_BOOTSTRAP"], [names.log("assistance")])
        )

    await until(offer_logged, "the offer in the assistance log")
    assert "(nl.kcr.assistance.offered)" in offered.stdout


async def _within(check: Callable[[], Awaitable[bool]], timeout: float) -> bool:
    """Whether ``check`` became true within ``timeout`` seconds."""
    with contextlib.suppress(AssertionError):
        await until(check, "", timeout)
        return True
    return False


def _cap_out(env: dict[str, str], out: Path, org: str = "vr20") -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "hub.cli", "connect", "cap-out", "--org", org,
               "--out", str(out), "--duration", "90"]  # fmt: skip
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


async def test_a_signal_of_the_running_hub_becomes_a_valid_cap_file(
    hub_env: dict[str, str], tmp_path: Path
) -> None:
    """A GRIP 4 incident raises a signal; cap-out writes it as an XSD-valid CAP 1.2 alert."""
    out = tmp_path / "cap-out"
    follower = _cap_out(hub_env, out)
    try:
        async with _client(hub_env, "vr20") as client:
            await client.publish({"type": "nl.kcr.incident.reported", "subject": "inc-capout",
                                  "tlp": "GREEN", "data": {
                "incident_id": "inc-capout", "category": "flood", "title": "Dijk Moerdijk",
                "regions": ["vr20"], "grip_level": "4", "severity": "extreme",
                "started_at": datetime.now(UTC).isoformat()}})  # fmt: skip

        async def alert_written() -> bool:
            return any(out.glob("*.xml")) if out.exists() else False

        written = await _within(alert_written, 90)
    finally:
        follower.terminate()
        stdout, stderr = await asyncio.to_thread(follower.communicate, timeout=30)
    assert written, f"no CAP file written; cap-out printed:\n{stdout}\n{stderr}"
    assert follower.returncode == 0, stderr
    schema = load_schema(CAP_1_2_XSD)
    alerts = [etree.parse(str(path)) for path in sorted(out.glob("*.xml"))]
    for alert in alerts:
        assert schema.validate(alert), schema.error_log
    assert any(a.findtext(f"{{{CAP_NS}}}msgType") == "Alert" for a in alerts)
    assert "nl.kcr.escalation.raised" in stdout


async def test_a_validated_evacuation_advice_becomes_a_valid_cap_file(
    hub_env: dict[str, str], tmp_path: Path
) -> None:
    """min-jenv asks for evacuation advice, the LOCC validates it; cap-out writes a valid CAP."""
    env, out, advice_id = hub_env, tmp_path / "cap-out", f"adv-{uuid.uuid4().hex[:8]}"
    follower = _cap_out(env, out, "min-jenv")
    target = out / f"kcr-advice-{advice_id}.xml"
    try:
        async with _client(env, "min-jenv") as ministry:
            await ministry.publish(given.advice_requested(
                advice_id, datetime.now(UTC), source="min-jenv", region="vr19",
                parameters={"people": 12000}))  # fmt: skip

        async def drafted() -> bool:
            return any(
                isinstance(item, AdviceDrafted) and item.data.advice_id == advice_id
                for item in await outbox(env, "locc")
            )

        await until(drafted, "the advice draft in the LOCC's outbox", 90)
        async with _client(env, "locc") as locc:
            await locc.publish(given.advice_validated(advice_id, datetime.now(UTC)))

        async def advice_written() -> bool:
            return target.exists()

        written = await _within(advice_written, 90)
    finally:
        follower.terminate()
        stdout, stderr = await asyncio.to_thread(follower.communicate, timeout=30)
    assert written, f"no CAP file for the advice; cap-out printed:\n{stdout}\n{stderr}"
    assert follower.returncode == 0, stderr
    alert = etree.parse(str(target))
    schema = load_schema(CAP_1_2_XSD)
    assert schema.validate(alert), schema.error_log
    info = f"{{{CAP_NS}}}info"
    codes = {
        code.findtext(f"{{{CAP_NS}}}valueName"): code.findtext(f"{{{CAP_NS}}}value")
        for code in alert.findall(f"{info}/{{{CAP_NS}}}eventCode")
    }
    feasible = codes["nl.kcr.verdict"] in ("feasible", "feasible_with_assistance")
    # no capacity is reported here, so the verdict is 'not_feasible': assess, never evacuate
    expected = "Evacuate" if feasible else "Assess"
    assert alert.findtext(f"{info}/{{{CAP_NS}}}responseType") == expected
    assert alert.findtext(f"{info}/{{{CAP_NS}}}category") == "Safety"
    assert alert.findtext(f"{{{CAP_NS}}}addresses") == "min-jenv"
    assert "(nl.kcr.advice.published)" in stdout
