"""Schema evolution of a real event type under the hub's compatibility level (FULL_TRANSITIVE)."""

from __future__ import annotations

import copy
import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro
import pytest

from hub.codec.registry_client import HttpSchemaRegistry, SchemaRefused
from hub.codec.serde import EventCodec, schema_fullname
from hub.codec.wire import pack, unpack
from hub.contracts.avro_schema import avro_schema_for, render_schemas, to_avro_record
from hub.contracts.events.heartbeat import HeartbeatSent
from hub.contracts.outputs import NationalSituationView, RegionView, View
from tests.integration.gateway_support import fresh_example


def _data_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    [data] = [f for f in schema["fields"] if f["name"] == "data"]
    fields: list[dict[str, Any]] = data["type"]["fields"]
    return fields


def _renamed(schema: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The same schema under a fresh namespace, so this test owns its subject."""
    return {**copy.deepcopy(schema), "namespace": namespace}


def _write(schema: dict[str, Any], schema_id: int, record: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), record)
    return pack(schema_id, buffer.getvalue())


def _read(data: bytes, writer: dict[str, Any], reader: dict[str, Any]) -> Any:
    _, body = unpack(data)
    return fastavro.schemaless_reader(
        io.BytesIO(body), fastavro.parse_schema(writer), fastavro.parse_schema(reader)
    )


async def test_optional_field_registers_removal_is_refused_and_both_versions_read(
    registry_url: str,
) -> None:
    """v2 (+ optional field) registers; v3 (- required field) is refused; a v2 reader reads both."""
    registry = HttpSchemaRegistry(registry_url)
    v1 = _renamed(avro_schema_for(HeartbeatSent), f"nl.kcr.evolution{uuid.uuid4().hex[:8]}")
    subject = schema_fullname(v1)
    await registry.set_compatibility(subject, "FULL_TRANSITIVE")
    v1_id = await registry.register(subject, v1)

    v2 = copy.deepcopy(v1)
    note = {"name": "battery_percent", "type": ["null", "long"], "default": None}
    _data_fields(v2).append(note)
    v2_id = await registry.register(subject, v2)
    assert v2_id != v1_id

    v3 = copy.deepcopy(v2)
    required = next(f for f in _data_fields(v3) if "default" not in f)
    _data_fields(v3).remove(required)
    with pytest.raises(SchemaRefused) as refused:
        await registry.register(subject, v3)
    assert refused.value.status == 409
    assert required["name"] in str(refused.value)

    event = fresh_example("heartbeat.sent")
    record_v1 = to_avro_record(event)
    record_v2 = copy.deepcopy(record_v1)
    record_v2["data"]["battery_percent"] = 87
    from_v1 = _read(_write(v1, v1_id, record_v1), v1, v2)
    from_v2 = _read(_write(v2, v2_id, record_v2), v2, v2)
    assert from_v1["data"]["battery_percent"] is None
    assert from_v2["data"]["battery_percent"] == 87
    assert from_v1["id"] == from_v2["id"] == event.id


async def test_the_hub_reads_a_record_written_by_a_newer_partner_schema(
    registry_url: str,
) -> None:
    """A partner on v2 of heartbeat.sent: the hub's v1 codec resolves it and drops the new field."""
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    await codec.register_all()
    v1 = avro_schema_for(HeartbeatSent)
    v2 = copy.deepcopy(v1)
    _data_fields(v2).append({"name": "battery_percent", "type": ["null", "long"], "default": None})
    v2_id = await codec.registry.register(schema_fullname(v1), v2)
    event = fresh_example("heartbeat.sent", time=datetime.now(UTC).isoformat())
    record = to_avro_record(event)
    record["data"]["battery_percent"] = 12
    decoded = await codec.decode_event(_write(v2, v2_id, record))
    assert decoded == event


def _without(node: Any, names: set[str]) -> Any:
    """``node`` (an Avro schema part) with the record fields named ``names`` left out."""
    if isinstance(node, list):
        return [_without(item, names) for item in node]
    if not isinstance(node, dict):
        return node
    kept = {key: _without(value, names) for key, value in node.items()}
    if node.get("type") == "record":
        kept["fields"] = [f for f in kept["fields"] if f["name"] not in names]
    return kept


@pytest.mark.parametrize(
    ("model", "added"),
    [(RegionView, {"active_count"}), (NationalSituationView, {"count"})],
)
async def test_the_view_counts_of_issue_15_evolve_under_full_transitive(
    registry_url: str, model: type[View], added: set[str]
) -> None:
    """The views as before issue 15 and with their new optional counts register in turn."""
    registry = HttpSchemaRegistry(registry_url)
    new = _renamed(avro_schema_for(model), f"nl.kcr.evolution{uuid.uuid4().hex[:8]}")
    old = _without(new, added)
    assert old != new
    subject = schema_fullname(new)
    await registry.set_compatibility(subject, "FULL_TRANSITIVE")
    old_id = await registry.register(subject, old)
    new_id = await registry.register(subject, new)
    assert new_id != old_id


async def test_every_released_contract_and_the_current_one_register_in_order(
    registry_url: str,
) -> None:
    """For every event type: version 1 (schemas/released/1), then the current schema, register.

    The registry checks FULL_TRANSITIVE, as for partners' subjects: an incompatible change of
    any contract (e.g. the areas of contract version 2) would be refused here with 409.
    """
    registry = HttpSchemaRegistry(registry_url)
    released = Path(__file__).parents[2] / "schemas" / "released" / "1"
    namespace = f"nl.kcr.release{uuid.uuid4().hex[:8]}"
    for name, text in sorted(render_schemas().items()):
        old = _renamed(json.loads((released / name).read_text(encoding="utf-8")), namespace)
        new = _renamed(json.loads(text), namespace)
        subject = f"{schema_fullname(old)}.{name.removesuffix('.avsc')}"
        await registry.set_compatibility(subject, "FULL_TRANSITIVE")
        first = await registry.register(subject, old)
        second = await registry.register(subject, new)
        assert (first == second) == (old == new), name
