"""The SDK on the real broker: publish through the gateway, outbox with exact progress, acks."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from connectors.sdk import (
    ClientNotStarted,
    ClientSettings,
    EventTooLarge,
    HubClient,
    NotAddressedToClient,
    SourceMismatch,
)
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.coordination import CoordinationAcknowledged
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs import CoordinationRequested
from hub.domain import testing as given
from hub.errors import ConfigurationError
from hub.topics.declaration import TopicNames
from tests.integration.connect_support import ORGS, ids_in, kcr_env, log_topics
from tests.integration.gateway_support import (
    make_hub_topics,
    publish,
    running_gateway,
    unique_prefix,
    wait_for_records,
)


def _settings(bootstrap: str, url: str, names: TopicNames, org: str) -> ClientSettings:
    return ClientSettings(bootstrap=bootstrap, org=org, registry_url=url, topic_prefix=names.prefix)


def _heartbeat(org: str) -> dict[str, object]:
    return {"type": "nl.kcr.heartbeat.sent", "subject": org, "tlp": "CLEAR",
            "data": {"status": "ok", "systems": ["connector"]}}  # fmt: skip


def _request(number: int, org: str) -> CoordinationRequested:
    now = datetime.now(UTC)
    request_id = f"coord-{number:03d}"
    return CoordinationRequested.model_validate(
        {
            "id": f"{request_id}:requested:1", "subject": request_id, "time": now,
            "recipients": [org],
            "data": {"request_id": request_id, "kind": "assistance", "what": "pump",
                     "quantity": 2, "total_quantity": 2, "for_org": "vr19",
                     "respond_by": now + timedelta(minutes=30)},
        }
    )  # fmt: skip


async def test_publish_reaches_the_log_and_bad_events_are_never_sent(
    kafka_bootstrap: str,
    registry_url: str,
    unique_name: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A dict and a model reach the log; wrong source, bad fields or size raise, send nothing."""
    monkeypatch.setenv("KCR_GATEWAY_MAX_RECORD_BYTES", "2000")
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    incident = given.incident_reported("inc-sdk-1", datetime.now(UTC), "vr19")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        settings = _settings(kafka_bootstrap, registry_url, names, "vr19")
        async with HubClient(settings) as client:
            good = await client.publish_many([_heartbeat("vr19"), incident])
            with pytest.raises(SourceMismatch) as wrong:
                await client.publish({**_heartbeat("vr01"), "source": "vr01"})
            with pytest.raises(SourceMismatch):
                await client.publish(
                    given.incident_reported("inc-sdk-2", datetime.now(UTC), "vr01")
                )
            with pytest.raises(ConfigurationError) as bad:
                await client.publish({**_heartbeat("vr19"), "data": {"status": "sleepy"}})
            huge = given.incident_reported(
                "inc-sdk-3", datetime.now(UTC), "vr19", description="x" * 5000
            )
            with pytest.raises(EventTooLarge) as large:
                await client.publish_many([_heartbeat("vr19"), huge])
        await wait_for_records(kafka_bootstrap, log_topics(names), 2)
        assert sorted(await ids_in(kafka_bootstrap, log_topics(names))) == sorted(good)
    assert good[1] == incident.id
    assert wrong.value.field == "event.source"
    assert "the client's org is 'vr19'" in str(wrong.value)
    assert "data.status" in bad.value.message
    assert large.value.event_id == huge.id
    assert large.value.limit == 2000
    assert len(await ids_in(kafka_bootstrap, [names.ingress("vr19")])) == 2
    assert await ids_in(kafka_bootstrap, [names.deadletter]) == []


async def test_a_client_outside_async_with_refuses_to_publish(registry_url: str) -> None:
    """Publish before the client is started says how to use it."""
    client = HubClient(
        ClientSettings(bootstrap="127.0.0.1:1", org="vr19", registry_url=registry_url)
    )
    with pytest.raises(ClientNotStarted, match="async with"):
        await client.publish(_heartbeat("vr19"))


def _connector(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.outbox_connector", "--org", "vr17", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)


def _lines_until(process: subprocess.Popen[str], last: str) -> list[str]:
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if line.strip() == last:
            break
    return lines


async def test_outbox_after_kill_and_restart_has_no_loss_and_no_repeat(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Killed mid-item, then stopped cleanly: every item is done exactly once over three runs."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    requests = [_request(n, "vr17") for n in range(1, 31)]
    await publish(kafka_bootstrap, codec, names.outbox("vr17"), list[EventEnvelope](requests))
    env = kcr_env(kafka_bootstrap, registry_url, names.prefix)

    first = _connector(env, "--hang-at", "coord-010")
    lines = await asyncio.to_thread(_lines_until, first, "handling coord-010")
    first.kill()
    first.communicate(timeout=30)
    second = _connector(env, "--max", "11")
    out_second, _ = await asyncio.to_thread(second.communicate, timeout=60)
    third = _connector(env, "--max", "10")
    out_third, _ = await asyncio.to_thread(third.communicate, timeout=60)

    done = [line.split()[1] for line in [*lines, *out_second.splitlines(), *out_third.splitlines()]
            if line.startswith("done ")]  # fmt: skip
    assert done == [r.data.request_id for r in requests]
    assert out_second.splitlines()[1] == "handling coord-010"  # the killed item comes again
    assert second.returncode == 0
    assert third.returncode == 0


async def test_acknowledge_reaches_the_log_and_only_for_the_addressee(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """An outbox request is acknowledged into the log; one for another org is refused."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ORGS)
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    await publish(kafka_bootstrap, codec, names.outbox("vr17"), [_request(1, "vr17")])
    async with running_gateway(kafka_bootstrap, names, registry_url):
        settings = _settings(kafka_bootstrap, registry_url, names, "vr17")
        async with HubClient(settings) as client:
            async with asyncio.timeout(30):
                request = await anext(aiter(client.outbox()))
            assert isinstance(request, CoordinationRequested)
            ack_id = await client.acknowledge(request, "accepted", note="2 pumps on their way")
            with pytest.raises(NotAddressedToClient) as foreign:
                await client.acknowledge(_request(2, "vr20"))
        records = await wait_for_records(kafka_bootstrap, [names.log("coordination")], 1)
    acked = await codec.decode_event(records[0].value)
    assert acked.id == ack_id
    assert acked.type == "nl.kcr.coordination.acknowledged"
    assert isinstance(acked, CoordinationAcknowledged)
    assert acked.data.request_id == "coord-001"
    assert acked.causationid == request.id
    assert foreign.value.recipients == ("vr20",)
