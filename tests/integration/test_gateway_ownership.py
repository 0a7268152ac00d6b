"""Owners of shared state on the broker: not_owner dead letters, notices, a lasting book."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.outputs import IngressRejected
from hub.domain import testing as build
from hub.domain.situation import SituationProjection
from hub.gateway.ownership_store import BACKFILL_MARKER
from tests.integration.gateway_support import (
    make_hub_topics,
    publish,
    read_all,
    running_gateway,
    unique_prefix,
    wait_for_records,
)


async def test_closing_another_organisations_incident_is_dead_lettered_not_owner(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """vr17 reports, vr19 closes: a not_owner dead letter; the incident stays open."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr17", "vr19"))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    now = datetime.now(UTC)
    incident = unique_name("inc")
    reported = build.incident_reported(incident, now, "vr17", regions=["vr17"])
    foreign = build.incident_closed(incident, now, "vr19")
    own_update = build.incident_updated(incident, now, "vr17", status="escalating")
    async with running_gateway(kafka_bootstrap, names, registry_url) as gateway:
        await publish(kafka_bootstrap, codec, names.ingress("vr17"), [reported])
        await wait_for_records(kafka_bootstrap, [names.log("incident")], 1)
        await publish(kafka_bootstrap, codec, names.ingress("vr19"), [foreign])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], 1)
        notices = await wait_for_records(kafka_bootstrap, [names.outbox("vr19")], 1)
        await publish(kafka_bootstrap, codec, names.ingress("vr17"), [own_update])
        logged = await wait_for_records(kafka_bootstrap, [names.log("incident")], 2)
    meta = header_map(letters[0].headers)
    assert meta["kcr_reason"] == "not_owner"
    assert "vr17" in meta["kcr_detail"]
    assert "Fix:" in meta["kcr_detail"]
    assert gateway.stats.rejected == {"not_owner": 1}
    notice = await codec.decode(notices[0].value)
    assert isinstance(notice, IngressRejected)
    assert notice.recipients == ("vr19",)
    assert (notice.data.reason, notice.data.event_id) == ("not_owner", foreign.id)
    assert "vr17" not in notice.model_dump_json()
    assert await read_all(kafka_bootstrap, [names.outbox("vr17")]) == []
    situation = SituationProjection()
    for record in logged:
        situation.apply(await codec.decode_event(record.value))
    assert situation.incidents[incident].closed_at is None
    assert situation.incidents[incident].status == "escalating"


async def test_the_ownership_book_survives_a_restart_from_its_topic(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """After a restart the gateway knows the owner from the compacted ownership topic."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr17", "vr19"))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    now = datetime.now(UTC)
    request = unique_name("req")
    requested = build.assistance_requested(request, now, "vr17", region="vr17")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        await publish(kafka_bootstrap, codec, names.ingress("vr17"), [requested])
        await wait_for_records(kafka_bootstrap, [names.log("assistance")], 1)
    stored = await read_all(kafka_bootstrap, [names.ownership])
    claims = [r.key for r in stored if r.key != BACKFILL_MARKER.encode()]
    assert claims == [f"assistance_request {request}".encode()]
    withdrawn = build.assistance_withdrawn(request, now, "vr19")
    async with running_gateway(kafka_bootstrap, names, registry_url) as restarted:
        assert restarted.owners.get(f"assistance_request {request}") is not None
        await publish(kafka_bootstrap, codec, names.ingress("vr19"), [withdrawn])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], 1)
    assert header_map(letters[0].headers)["kcr_reason"] == "not_owner"
    assert len(await read_all(kafka_bootstrap, [names.log("assistance")])) == 1


async def test_owners_of_a_log_older_than_the_store_are_claimed_once_on_start(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """A log written before the ownership store: the first start claims its owners, once."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr17", "vr19"))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    now = datetime.now(UTC)
    old, ended = unique_name("old"), unique_name("ended")
    history = [
        build.incident_reported(old, now, "vr17", regions=["vr17"]),
        build.incident_reported(ended, now, "vr19", regions=["vr19"]),
        build.incident_updated(old, now, "vr17", status="escalating"),
        build.incident_closed(ended, now, "vr19"),
    ]
    await publish(kafka_bootstrap, codec, names.log("incident"), history)
    foreign = build.incident_closed(old, now, "vr19")
    async with running_gateway(kafka_bootstrap, names, registry_url) as gateway:
        assert gateway.owners.get(f"incident {old}").owner == "vr17"  # type: ignore[union-attr]
        assert gateway.owners.get(f"incident {ended}").ended_at is not None  # type: ignore[union-attr]
        await publish(kafka_bootstrap, codec, names.ingress("vr19"), [foreign])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], 1)
    assert header_map(letters[0].headers)["kcr_reason"] == "not_owner"
    stored = [r.key for r in await read_all(kafka_bootstrap, [names.ownership])]
    assert stored.count(BACKFILL_MARKER.encode()) == 1
    async with running_gateway(kafka_bootstrap, names, registry_url):
        pass  # a second start finds the marker and reads no log
    again = [r.key for r in await read_all(kafka_bootstrap, [names.ownership])]
    assert again == stored
