"""The secure broker: SCRAM logins and the derived ACLs, proven on a real Kafka 4.0 broker.

(That a bridge API key of one organisation cannot publish for another is tested in
test_bridge_publish.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.gateway.service import Gateway, GatewayWiring
from hub.history.readers import latest_by_key
from hub.kafka.clients import client_options, confluent_options
from hub.security.acls import AclPlan, AclRule
from hub.security.admin import acl_admin, apply_plan
from tests.harness import free_port, running_service
from tests.hub_process import hub_process
from tests.integration.gateway_support import fresh_example
from tests.integration.live_support import until
from tests.integration.secure_support import SecureHub, secure_hub


@pytest.fixture(scope="module")
def hub() -> Iterator[SecureHub]:
    """One secure broker for this module."""
    with secure_hub() as running:
        yield running


async def _produce(hub: SecureHub, user: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(enable_idempotence=True, request_timeout_ms=10000,
                                **hub.options(user))  # fmt: skip
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def _read_one(
    hub: SecureHub, user: str, topic: str, group: str | None, wait_ms: int = 10000
) -> bytes | None:
    consumer = AIOKafkaConsumer(group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False, **hub.options(user))  # fmt: skip
    await consumer.start()
    try:
        if group is None:
            consumer.assign([TopicPartition(topic, 0)])
        else:
            consumer.subscribe([topic])
        batches = await consumer.getmany(timeout_ms=wait_ms)
        for _, records in batches.items():
            if records:
                if group is not None:
                    await consumer.commit()
                value: bytes | None = records[0].value
                return value
        return None
    finally:
        await consumer.stop()


async def test_a_wrong_password_is_refused(hub: SecureHub) -> None:
    """SCRAM refuses vr07 with another password."""
    producer = AIOKafkaProducer(**hub.options("vr07", password="wrong"))
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


async def test_an_organisation_cannot_write_another_ingress(hub: SecureHub) -> None:
    """vr07 may not write kcr.ingress.vr08."""
    with pytest.raises(TopicAuthorizationFailedError):
        await _produce(hub, "vr07", hub.names.ingress("vr08"), b"x")


async def test_an_organisation_cannot_read_another_outbox_or_the_log(hub: SecureHub) -> None:
    """vr07 gets nothing from kcr.outbox.vr08 or kcr.log.incident, which admin reads.

    (aiokafka logs "Topic ... is not authorized for this client" for an assigned partition and
    returns nothing instead of raising.)
    """
    await _produce(hub, "processors", hub.names.outbox("vr08"), b"for vr08")
    await _produce(hub, "gateway", hub.names.log("incident"), b"logged")
    for topic in (hub.names.outbox("vr08"), hub.names.log("incident")):
        assert await _read_one(hub, "admin", topic, group=None) is not None
        assert await _read_one(hub, "vr07", topic, group=None, wait_ms=4000) is None


async def test_an_organisation_uses_its_own_ingress_outbox_and_group(hub: SecureHub) -> None:
    """vr07 writes kcr.ingress.vr07 and reads kcr.outbox.vr07 in group kcr.connector.vr07."""
    await _produce(hub, "vr07", hub.names.ingress("vr07"), b"from vr07")
    await _produce(hub, "processors", hub.names.outbox("vr07"), b"for vr07")
    value = await _read_one(hub, "vr07", hub.names.outbox("vr07"), "kcr.connector.vr07")
    assert value == b"for vr07"
    with pytest.raises(GroupAuthorizationFailedError):
        await _read_one(hub, "vr07", hub.names.outbox("vr07"), "kcr.connector.vr08")


async def test_the_gateway_moves_an_event_as_its_own_user(
    hub: SecureHub, registry_url: str
) -> None:
    """vr07 publishes; the gateway user logs it; the processors' user reads it in its group."""
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    await codec.register_all()
    event = await _report_as_vr07(hub, codec)
    options = client_options(hub.settings(), service="gateway")
    gateway = Gateway(GatewayWiring(hub.bootstrap, hub.names, options), codec, load_registry())
    async with running_service(gateway.run):
        logged = await _wait_logged(hub, event.id)
    assert logged


async def _report_as_vr07(hub: SecureHub, codec: EventCodec) -> EventEnvelope:
    """vr07 publishes an incident report to its own ingress, logged in as itself."""
    event = fresh_example("incident.reported", source="vr07")
    producer = AIOKafkaProducer(enable_idempotence=True, **hub.options("vr07"))
    await producer.start()
    try:
        value, key = await codec.encode(event), event.subject.encode()
        topic = hub.names.ingress("vr07")
        await producer.send_and_wait(topic, value, key=key, headers=to_ce_headers(event))
    finally:
        await producer.stop()
    return event


async def _wait_logged(hub: SecureHub, event_id: str) -> bool:
    consumer = AIOKafkaConsumer(
        hub.names.log("incident"), group_id=f"{hub.names.prefix}-processors",
        auto_offset_reset="earliest", isolation_level="read_committed",
        **hub.options("processors"),
    )  # fmt: skip
    await consumer.start()
    try:
        for _ in range(30):
            batches = await consumer.getmany(timeout_ms=2000)
            for records in batches.values():
                if any(event_id.encode() in (r.value or b"") for r in records):
                    return True
        return False
    finally:
        await consumer.stop()


def _kcr_acl_apply(hub: SecureHub) -> str:
    env = {**os.environ, "KCR_BOOTSTRAP": hub.bootstrap,
           "KCR_CREDENTIALS_FILE": str(hub.credentials_file)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "acl", "apply"],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    return result.stdout


def test_kcr_acl_apply_is_idempotent_and_removes_stale_acls(hub: SecureHub) -> None:
    """A stale managed ACL is deleted; a second apply changes nothing."""
    stale = AclRule("User:vr07", "TOPIC", "LITERAL", hub.names.ingress("vr08"), "WRITE")
    admin = acl_admin(hub.bootstrap, confluent_options(hub.settings()))
    apply_plan(admin, AclPlan(create=(stale,), delete=(), unchanged=0))
    first = _kcr_acl_apply(hub)
    assert f"- ALLOW {stale.describe()}" in first
    assert "created 0, deleted 1," in first
    assert "created 0, deleted 0," in _kcr_acl_apply(hub)


async def test_the_whole_hub_runs_with_its_own_users(hub: SecureHub, tmp_path: Path) -> None:
    """`kcr run` on the secure broker: every service logs in as itself and vr07's report shows."""
    env = {
        **os.environ,
        "KCR_BOOTSTRAP": hub.bootstrap,
        "KCR_CREDENTIALS_FILE": str(hub.credentials_file),
        "KCR_DATA_DIR": str(tmp_path / "data"),
        "KCR_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        "KCR_BRIDGE_PORT": str(free_port()),
        "KCR_DASHBOARD_PORT": str(free_port()),
    }
    with hub_process(env, tmp_path / "hub.log") as running:
        codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
        event = await _report_as_vr07(hub, codec)
        admin = hub.settings()

        async def incident_shown() -> bool:
            shown = await latest_by_key(
                hub.bootstrap, hub.names.view("situation"), codec, client_options(admin)
            )
            return f"incident/{event.subject}" in shown

        await until(incident_shown, "vr07's incident in the situation view", timeout=120)
        assert "Authorization" not in running.output(), running.output()[-4000:]


def test_kcr_topics_apply_logs_in_as_the_operator(hub: SecureHub) -> None:
    """`kcr topics apply` on the secure broker uses the operator's login and finds all in sync."""
    env = {**os.environ, "KCR_BOOTSTRAP": hub.bootstrap,
           "KCR_CREDENTIALS_FILE": str(hub.credentials_file)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "topics", "apply"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 created" in result.stdout
    assert "0 differ from the declaration" in result.stdout


async def test_the_rebuild_idle_check_logs_in_as_the_operator(hub: SecureHub) -> None:
    """`kcr replay --rebuild` asks whether the processors run; on SASL it must log in to ask."""
    from hub.history.rebuild import check_processors_idle

    login = confluent_options(hub.settings())
    await check_processors_idle(hub.bootstrap, f"{hub.names.prefix}-no-such-group", login)
