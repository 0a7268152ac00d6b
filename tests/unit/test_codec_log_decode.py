"""The codec trusts the hub's own log, and only it: what is validated where.

A log record of the current schema of its type is built without validation
(:meth:`EventCodec.decode_log_record`, :meth:`EventCodec.decode_log_values`); the ingress
decodes (:meth:`EventCodec.decode`, ``decode_cached``, ``decode_event``) always validate, and so
does the log path for a record written with another schema version.
"""

from __future__ import annotations

import copy
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import fastavro
import pytest
from pydantic import BaseModel
from structlog.testing import capture_logs

from hub.codec.serde import EventCodec
from hub.codec.wire import pack
from hub.contracts.avro_schema import avro_datum, to_avro_record
from hub.contracts.events.catalogue import EVENT_TYPES, parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.incident import IncidentUpdated
from hub.contracts.models import schema_for
from hub.domain.hub import HubProjection
from hub.errors import CodecError


class _MemoryRegistry:
    """Schemas in a dict, for a codec without a registry server; counts the look-ups."""

    def __init__(self) -> None:
        self.schemas: dict[int, Any] = {}
        self.lookups = 0

    async def register(self, subject: str, schema: Any) -> int:
        schema_id = len(self.schemas) + 1
        self.schemas[schema_id] = schema
        return schema_id

    async def schema_by_id(self, schema_id: int) -> Any:
        self.lookups += 1
        return self.schemas.get(schema_id)

    async def set_compatibility(self, subject: str, level: str) -> None:
        return None


def _example(repo: Path, name: str) -> EventEnvelope:
    path = repo / "examples" / "events" / f"{name}.json"
    return parse_event(json.loads(path.read_text(encoding="utf-8")))


def _forged(event: EventEnvelope) -> EventEnvelope:
    """``event`` with a GRIP level no reference data knows (validation refuses it)."""
    data = event.data.model_copy(update={"grip_level": "VI"})
    return event.model_copy(update={"data": data})


async def _reading_codec(writer: EventCodec) -> tuple[EventCodec, _MemoryRegistry]:
    """A second codec on ``writer``'s registry, that has seen no schema yet."""
    registry = writer.registry
    assert isinstance(registry, _MemoryRegistry)
    return EventCodec(registry), registry


async def test_a_log_record_of_the_current_schema_is_built_without_validation(
    repo: Path,
) -> None:
    """The log path builds what it is given; the ingress path refuses the same bytes."""
    writer = EventCodec(_MemoryRegistry())
    good = _example(repo, "incident.reported")
    forged = await writer.encode(_forged(good))
    reader, _ = await _reading_codec(writer)
    built = await reader.decode_log_record(forged, "kcr.log.incident", 0, 7)
    assert built is not None
    assert built.data.grip_level == "VI"  # type: ignore[attr-defined]
    with pytest.raises(CodecError) as refused:
        await reader.decode_event(forged)
    assert refused.value.reason == "invalid_payload"
    with pytest.raises(CodecError):
        reader.decode_cached(forged)
    assert await reader.decode_log_record(await writer.encode(good), "t", 0, 8) == good


def _spelled_out(schema: Any, namespace: str) -> Any:
    """``schema`` as the registry returns it: every nested named type with its namespace."""
    if isinstance(schema, list):
        return [_spelled_out(branch, namespace) for branch in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _spelled_out(value, namespace) for key, value in schema.items()}
    if schema.get("type") in ("record", "enum"):
        out.setdefault("namespace", namespace)
    if "fields" in schema:
        out["fields"] = [
            {**field, "type": _spelled_out(field["type"], namespace)} for field in schema["fields"]
        ]
    return out


async def test_the_registry_spelling_of_the_current_schema_is_current(repo: Path) -> None:
    """Namespaces spelled out on nested types (as the registry returns them) change nothing."""
    model = EVENT_TYPES["nl.kcr.incident.reported"]
    current = schema_for(model)
    spelled = _spelled_out(current, current["namespace"])
    assert spelled != current
    registry = _MemoryRegistry()
    schema_id = await registry.register("nl.kcr.incident.IncidentReported", spelled)
    writer = EventCodec(registry)
    forged = await writer.encode(_forged(_example(repo, "incident.reported")))
    framed = pack(schema_id, forged[5:])
    built = await EventCodec(registry).decode_log_record(framed, "kcr.log.incident", 0, 1)
    assert built is not None  # built as trusted: not validated, so not refused


def _older_schema() -> dict[str, Any]:
    """The current IncidentReported schema less its optional ``affected_people`` (an old one)."""
    schema: dict[str, Any] = copy.deepcopy(schema_for(EVENT_TYPES["nl.kcr.incident.reported"]))
    data = next(f for f in schema["fields"] if f["name"] == "data")
    data["type"]["fields"] = [f for f in data["type"]["fields"] if f["name"] != "affected_people"]
    return schema


async def test_a_log_record_of_another_schema_version_is_validated(repo: Path) -> None:
    """Written with an older schema, a forged record is refused (logged, None), a good one read."""
    registry = _MemoryRegistry()
    old = _older_schema()
    old_id = await registry.register("nl.kcr.incident.IncidentReported", old)
    parsed = fastavro.parse_schema(old)

    def written(event: EventEnvelope) -> bytes:
        datum = avro_datum(event)
        del datum["data"]["affected_people"]
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, datum, disable_tuple_notation=True)
        return pack(old_id, buffer.getvalue())

    codec = EventCodec(registry)
    good = _example(repo, "incident.reported")
    with capture_logs() as logs:
        refused = await codec.decode_log_record(written(_forged(good)), "kcr.log.incident", 0, 3)
    assert refused is None
    assert logs[0]["event"] == "log.undecodable"
    assert (logs[0]["reason"], logs[0]["offset"]) == ("invalid_payload", 3)
    read = await codec.decode_log_record(written(good), "kcr.log.incident", 0, 4)
    assert read == good.model_copy(
        update={"data": good.data.model_copy(update={"affected_people": 0})}
    )


async def test_a_batch_decodes_each_value_or_says_why_not(repo: Path) -> None:
    """Events, then the reason of each value without one; one registry look-up per schema."""
    writer = EventCodec(_MemoryRegistry())
    events = [_example(repo, name) for name in ("incident.reported", "heartbeat.sent")]
    encoded = [await writer.encode(event) for event in events] * 3
    view = await writer.encode(_a_view(events[0]))
    values = [*encoded, b"\x01junk", None, view, pack(999, b"")]
    reader, registry = await _reading_codec(writer)
    decoded = await reader.decode_log_values(values)
    assert decoded[:6] == events * 3
    reasons = [item.reason for item in decoded[6:] if isinstance(item, CodecError)]
    assert reasons == ["undecodable", "undecodable", "unknown_event_type", "unknown_schema_id"]
    assert registry.lookups == 4  # two event schemas, the view's, the unknown id


def _a_view(event: EventEnvelope) -> BaseModel:
    """A view record the hub computes from ``event``: a hub output, not a log event."""
    hub = HubProjection()
    hub.apply_all([event])
    return hub.tick(event.time + timedelta(seconds=1), 1).views[0].view


async def test_an_update_of_two_regions_encodes(repo: Path) -> None:
    """A two-item tuple in a nullable union is an array, not fastavro's union tuple notation."""
    codec = EventCodec(_MemoryRegistry())
    update = _example(repo, "incident.updated")
    assert isinstance(update, IncidentUpdated)
    data = update.data.model_copy(update={"regions": ("vr19", "vr20")})
    event = update.model_copy(update={"data": data})
    assert await codec.decode_event(await codec.encode(event)) == event


async def test_log_records_are_the_avro_records_of_the_events(repo: Path) -> None:
    """For an export: each event's type and Avro record, the record as to_avro_record gives it."""
    writer = EventCodec(_MemoryRegistry())
    events = [_example(repo, name) for name in ("incident.reported", "sitrep.published")]
    values = [await writer.encode(event) for event in events] + [b"junk"]
    reader, _ = await _reading_codec(writer)
    decoded = await reader.decode_log_records(values)
    assert decoded[:2] == [(type(event), to_avro_record(event)) for event in events]
    assert isinstance(decoded[2], CodecError)
