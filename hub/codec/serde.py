"""Events to bytes and back: Avro bodies in the Confluent wire format, schemas by registry id.

Writers register each event type's schema under its record full name (Confluent's
RecordNameStrategy, since one log topic holds several types) and cache the id. Readers fetch the
writer's schema by id once, resolve it against the hub's current schema of that event type
(Avro schema resolution), and validate the result with the pydantic model.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import fastavro
from pydantic import ValidationError

from hub.codec.registry_client import SchemaRegistry
from hub.codec.wire import pack, unpack
from hub.contracts.avro_schema import avro_schema_for, from_avro_record, to_avro_record
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import CodecError

__all__ = ["HUB_COMPATIBILITY", "EventCodec", "describe_validation_error", "schema_fullname"]

HUB_COMPATIBILITY = "FULL_TRANSITIVE"
"""The compatibility level of every event subject (see :meth:`EventCodec.register_all`)."""

ParsedSchema = Any  # fastavro's parsed schema (a dict with its named types expanded)


def schema_fullname(schema: Mapping[str, Any]) -> str:
    """Return ``namespace.name`` of a record schema (the registry subject of the type)."""
    name = str(schema["name"])
    namespace = schema.get("namespace")
    return name if "." in name or not namespace else f"{namespace}.{name}"


def describe_validation_error(error: ValidationError) -> str:
    """Summarise a pydantic error as ``field.path: message`` items, the field first."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(event)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


class _TypeSchemas:
    """The hub's own schema of every event type, parsed once."""

    def __init__(self, models: Iterable[type[EventEnvelope]]) -> None:
        self.raw: dict[type[EventEnvelope], dict[str, Any]] = {}
        self.parsed: dict[type[EventEnvelope], ParsedSchema] = {}
        self.by_fullname: dict[str, type[EventEnvelope]] = {}
        for model in models:
            raw = avro_schema_for(model)
            self.raw[model] = raw
            self.parsed[model] = fastavro.parse_schema(raw)
            self.by_fullname[schema_fullname(raw)] = model


class EventCodec:
    """Encode and decode hub events against a Confluent-compatible schema registry."""

    def __init__(self, registry: SchemaRegistry) -> None:
        """Use ``registry`` for schema ids; nothing is fetched until needed."""
        self.registry = registry
        self._types = _TypeSchemas(EVENT_TYPES.values())
        self._ids: dict[type[EventEnvelope], int] = {}
        self._writers: dict[int, tuple[ParsedSchema, type[EventEnvelope] | None, bool]] = {}

    async def register_all(self, compatibility: str = HUB_COMPATIBILITY) -> dict[str, int]:
        """Register every event type's schema and set its subject's level; return subject → id.

        Idempotent. The hub's event subjects use FULL_TRANSITIVE: a new schema must be readable
        by every older reader as well as read every older record, because 25 regions and their
        partners upgrade their consumers at different times.
        """
        subjects = {}
        for model, raw in self._types.raw.items():
            subject = schema_fullname(raw)
            await self.registry.set_compatibility(subject, compatibility)
            subjects[subject] = await self.schema_id(model)
        return subjects

    async def schema_id(self, model: type[EventEnvelope]) -> int:
        """Return the registry id of ``model``'s current schema, registering it if needed."""
        if model not in self._ids:
            raw = self._types.raw[model]
            schema_id = await self.registry.register(schema_fullname(raw), raw)
            self._ids[model] = schema_id
            self._writers[schema_id] = (self._types.parsed[model], model, True)
        return self._ids[model]

    async def encode(self, event: EventEnvelope) -> bytes:
        """Return ``event`` as Avro in the Confluent wire format."""
        model = type(event)
        schema_id = await self.schema_id(model)
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, self._types.parsed[model], to_avro_record(event))
        return pack(schema_id, buffer.getvalue())

    async def decode(self, data: bytes | None) -> EventEnvelope:
        """Return the event in ``data``; raise :class:`CodecError` with a dead-letter reason."""
        schema_id, body = unpack(data)
        writer, model, is_current = await self._writer(schema_id)
        if model is None:
            raise CodecError(
                "unknown_event_type",
                f"schema id {schema_id} describes no event type of the hub's catalogue",
            )
        reader = None if is_current else self._types.parsed[model]
        try:
            record = fastavro.schemaless_reader(io.BytesIO(body), writer, reader)
        except Exception as error:
            raise CodecError(
                "undecodable", f"Avro body does not match schema id {schema_id}: {error!r}"
            ) from error
        if not isinstance(record, dict):
            raise CodecError("undecodable", f"schema id {schema_id} is not a record schema")
        try:
            return from_avro_record(model, record)
        except ValidationError as error:
            raise CodecError("invalid_payload", describe_validation_error(error)) from error

    async def _writer(
        self, schema_id: int
    ) -> tuple[ParsedSchema, type[EventEnvelope] | None, bool]:
        cached = self._writers.get(schema_id)
        if cached is not None:
            return cached
        raw = await self.registry.schema_by_id(schema_id)
        if raw is None:
            raise CodecError("unknown_schema_id", f"schema id {schema_id} is not registered")
        try:
            parsed = fastavro.parse_schema(raw)
        except Exception as error:
            raise CodecError(
                "unknown_schema_id", f"schema id {schema_id} is not a usable Avro schema: {error}"
            ) from error
        model = self._types.by_fullname.get(schema_fullname(raw)) if isinstance(raw, dict) else None
        is_current = model is not None and raw == self._types.raw[model]
        entry = (parsed, model, is_current)
        self._writers[schema_id] = entry
        return entry
