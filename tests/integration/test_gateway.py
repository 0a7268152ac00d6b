"""The gateway on the real broker: valid events reach the log, every rejection is dead-lettered."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fastavro
import pytest

from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.codec.wire import pack, unpack
from hub.contracts.avro_schema import avro_schema_for, to_avro_record
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.organisations import load_registry
from hub.gateway.policy import GatewayPolicy
from tests.integration.gateway_support import (
    EXAMPLES,
    RawRecord,
    fresh_example,
    make_hub_topics,
    publish,
    read_all,
    running_gateway,
    send_raw,
    unique_prefix,
    wait_for_records,
)

PARTNER_TYPES = sorted(p.stem for p in Path(EXAMPLES).glob("*.json"))


async def test_one_valid_event_of_every_type_lands_in_its_log(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Each example, published by its source, is in kcr.log.<family> keyed by subject, stamped."""
    events = [fresh_example(name) for name in PARTNER_TYPES]
    names = make_hub_topics(
        kafka_bootstrap, unique_prefix(unique_name), tuple({e.source for e in events})
    )
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    async with running_gateway(kafka_bootstrap, names, registry_url) as gateway:
        for event in events:
            await publish(kafka_bootstrap, codec, names.ingress(event.source), [event])
        logs = sorted({names.log(e.family) for e in events})
        records = await wait_for_records(kafka_bootstrap, logs, len(events))
    assert gateway.stats.accepted == len(events)
    assert gateway.stats.rejected == {}
    by_id = {e.id: e for e in events}
    assert len(records) == len(events)
    for record in records:
        logged = await codec.decode_event(record.value)
        original = by_id[logged.id]
        assert record.topic == names.log(original.family)
        assert record.key == original.subject.encode()
        assert logged.ingested_at is not None
        assert logged.model_copy(update={"ingested_at": None}) == original
        assert header_map(record.headers)["ce_type"] == original.type
        schema_id, _ = unpack(record.value)
        schema_url = f"{registry_url.rstrip('/')}/schemas/ids/{schema_id}"
        assert header_map(record.headers)["ce_dataschema"] == schema_url
    assert len(PARTNER_TYPES) == len([t for t in EVENT_TYPES if not t.startswith("nl.kcr.clock")])


def _avro_with(event_name: str, schema_id: int, **data_changes: object) -> bytes:
    """Encode an example with its real schema but with invalid data values (bypassing pydantic)."""
    event = fresh_example(event_name)
    record = to_avro_record(event)
    record["data"] = {**record["data"], **data_changes}
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(avro_schema_for(type(event))), record)
    return pack(schema_id, buffer.getvalue())


async def test_every_rejection_reason_is_dead_lettered_and_valid_records_keep_flowing(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Ten kinds of bad record each land in kcr.deadletter with their reason; good ones pass."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr19", "vr07", "vr99"))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    incident_id = await codec.schema_id(type(fresh_example("incident.reported")))
    unknown_type_id = await codec.registry.register(
        "nl.kcr.test.NotAnEvent",
        {"type": "record", "name": "NotAnEvent", "namespace": "nl.kcr.test",
         "fields": [{"name": "x", "type": "string"}]},
    )  # fmt: skip
    duplicate = fresh_example("incident.reported")
    big = fresh_example("incident.reported", data={
        **fresh_example("incident.reported").data.model_dump(mode="json"),
        "description": "x" * 9000,
    })  # fmt: skip
    ahead = datetime.now(UTC) + timedelta(hours=1)
    vr19, vr07 = names.ingress("vr19"), names.ingress("vr07")
    expected: dict[str, list[RawRecord]] = {
        "undecodable": [(vr19, b"k1", b"\x01not avro at all", [("x-test", b"1")])],
        "unknown_schema_id": [(vr19, b"k2", pack(987654, b"\x02\x04"), [])],
        "unknown_event_type": [(vr19, b"k3", pack(unknown_type_id, b"\x02a"), [])],
        "invalid_payload": [(vr19, b"k4", _avro_with("incident.reported", incident_id,
                                                     grip_level="9"), [])],
        "source_mismatch": [(vr07, b"k5", await codec.encode(
            fresh_example("incident.reported")), [])],
        "type_not_allowed": [(vr19, b"k6", await codec.encode(
            fresh_example("advice.validated", source="vr19")), [])],
        "too_large": [(vr19, b"k7", await codec.encode(big), [])],
        "time_in_future": [(vr19, b"k8", await codec.encode(
            fresh_example("incident.reported", time=ahead.isoformat())), [])],
        "unknown_organisation": [(names.ingress("vr99"), b"k9", await codec.encode(
            fresh_example("incident.reported")), [])],
        "duplicate_event_id": [(vr19, b"k10", await codec.encode(duplicate), [])],
    }  # fmt: skip
    good_after = fresh_example("incident.reported")
    policy = GatewayPolicy(max_record_bytes=4096)
    async with running_gateway(kafka_bootstrap, names, registry_url, policy) as gateway:
        await publish(kafka_bootstrap, codec, vr19, [duplicate])
        await send_raw(kafka_bootstrap, [r for records in expected.values() for r in records])
        await publish(kafka_bootstrap, codec, vr19, [good_after])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], len(expected))
        logged = await wait_for_records(kafka_bootstrap, [names.log("incident")], 2)
    assert gateway.stats.accepted == 2
    assert sum(gateway.stats.rejected.values()) == len(expected)
    by_reason = {header_map(r.headers)["kcr_reason"]: r for r in letters}
    assert set(by_reason) == set(expected)
    for reason, [(topic, key, value, headers)] in expected.items():
        letter = by_reason[reason]
        meta = header_map(letter.headers)
        assert (letter.key, letter.value) == (key, value), reason
        assert meta["kcr_source_topic"] == topic
        assert int(meta["kcr_source_offset"]) >= 0
        assert meta["kcr_detail"], reason
        assert list(letter.headers)[: len(headers)] == headers
    assert "data.grip_level" in header_map(by_reason["invalid_payload"].headers)["kcr_detail"]
    assert [(await codec.decode_event(r.value)).id for r in logged] == [duplicate.id, good_after.id]


async def test_spoofed_source_is_rejected_and_never_reaches_the_log(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """vr07 writing an event that claims to come from vr08 is dead-lettered as source_mismatch."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr07", "vr08"))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    spoofed = fresh_example("capacity.reported", source="vr08", subject="vr08/pump")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        await publish(kafka_bootstrap, codec, names.ingress("vr07"), [spoofed])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], 1)
    assert header_map(letters[0].headers)["kcr_reason"] == "source_mismatch"
    assert await read_all(kafka_bootstrap, [names.log("capacity")]) == []


async def test_duplicate_is_rejected_once_even_after_a_gateway_restart(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """The original stays in the log; a resend after a restart is a duplicate dead letter."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr19",))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    event = fresh_example("incident.reported")
    async with running_gateway(kafka_bootstrap, names, registry_url):
        await publish(kafka_bootstrap, codec, names.ingress("vr19"), [event])
        await wait_for_records(kafka_bootstrap, [names.log("incident")], 1)
    async with running_gateway(kafka_bootstrap, names, registry_url) as restarted:
        assert (event.source, event.id) in restarted.seen
        await publish(kafka_bootstrap, codec, names.ingress("vr19"), [event])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], 1)
    logged = await read_all(kafka_bootstrap, [names.log("incident")])
    assert [(await codec.decode_event(r.value)).id for r in logged] == [event.id]
    assert [header_map(r.headers)["kcr_reason"] for r in letters] == ["duplicate_event_id"]


@pytest.mark.parametrize("org", ["vr19"])
async def test_consumed_offsets_are_committed_with_the_output(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], org: str
) -> None:
    """After a restart the gateway does not write the same records to the log again."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), (org,))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    events = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(20)]
    async with running_gateway(kafka_bootstrap, names, registry_url):
        await publish(kafka_bootstrap, codec, names.ingress(org), events)
        await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 20)
    async with running_gateway(kafka_bootstrap, names, registry_url) as again:
        more = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(5)]
        await publish(kafka_bootstrap, codec, names.ingress(org), more)
        records = await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 25)
    assert again.stats.accepted == 5
    assert sorted([(await codec.decode_event(r.value)).id for r in records]) == sorted(
        e.id for e in [*events, *more]
    )
    assert load_registry().may_publish(org, "nl.kcr.heartbeat.sent")
