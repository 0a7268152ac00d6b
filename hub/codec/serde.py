"""Hub models to bytes and back: Avro bodies in the Confluent wire format, schemas by registry id.

Writers register each model's schema under its record full name (Confluent's RecordNameStrategy,
since one topic holds several types) and cache the id. Readers fetch the writer's schema by id
once, resolve it against the hub's current schema of that type (Avro schema resolution), and
validate the result with the pydantic model. The models are the log's events, the hub's outputs
and the view records (:func:`hub.contracts.models.hub_models`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import fastavro
from pydantic import BaseModel, ValidationError

from hub.codec.registry_client import SchemaRegistry
from hub.codec.wire import pack, unpack
from hub.contracts.avro_schema import avro_datum, from_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import hub_models, is_log_event, schema_for
from hub.errors import CodecError
from hub.logs import get_logger

__all__ = [
    "HUB_COMPATIBILITY",
    "EventCodec",
    "describe_validation_error",
    "schema_fullname",
]

_log = get_logger("hub.codec")

HUB_COMPATIBILITY = "FULL_TRANSITIVE"
"""The compatibility level of every hub subject (see :meth:`EventCodec.register_all`)."""

ParsedSchema: TypeAlias = Any  # fastavro's parsed schema (a dict with named types expanded)
Model: TypeAlias = type[BaseModel]


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


class _Schemas:
    """The hub's own schema of every model, parsed once."""

    def __init__(self, models: Iterable[Model]) -> None:
        self.raw: dict[Model, dict[str, Any]] = {}
        self.parsed: dict[Model, ParsedSchema] = {}
        self.by_fullname: dict[str, Model] = {}
        for model in models:
            raw = schema_for(model)
            self.raw[model] = raw
            self.parsed[model] = fastavro.parse_schema(raw)
            self.by_fullname[schema_fullname(raw)] = model


class _Writer:
    """A writer schema seen on the wire: its parsed form and the hub model it maps to."""

    __slots__ = ("is_current", "model", "parsed")

    def __init__(self, parsed: ParsedSchema, model: Model | None, is_current: bool) -> None:
        self.parsed = parsed
        self.model = model
        self.is_current = is_current


class EventCodec:
    """Encode and decode hub models against a Confluent-compatible schema registry."""

    def __init__(self, registry: SchemaRegistry, models: Iterable[Model] | None = None) -> None:
        """Use ``registry`` for schema ids; nothing is fetched until needed."""
        self.registry = registry
        self._schemas = _Schemas(hub_models() if models is None else models)
        self._ids: dict[Model, int] = {}
        self._writers: dict[int, _Writer] = {}

    async def register_all(self, compatibility: str = HUB_COMPATIBILITY) -> dict[str, int]:
        """Register every model's schema and set its subject's level; return subject → id.

        Idempotent. The hub's subjects use FULL_TRANSITIVE: a new schema must be readable by
        every older reader as well as read every older record, because 25 regions and their
        partners upgrade their consumers at different times.
        """
        subjects = {}
        for model, raw in self._schemas.raw.items():
            subject = schema_fullname(raw)
            await self.registry.set_compatibility(subject, compatibility)
            subjects[subject] = await self.schema_id(model)
        return subjects

    async def schema_id(self, model: Model) -> int:
        """Return the registry id of ``model``'s current schema, registering it if needed."""
        if model not in self._ids:
            raw = self._schemas.raw[model]
            schema_id = await self.registry.register(schema_fullname(raw), raw)
            self._ids[model] = schema_id
            self._writers[schema_id] = _Writer(self._schemas.parsed[model], model, True)
        return self._ids[model]

    def registered(self) -> dict[int, Model]:
        """Return the schema ids this codec registered or looked up, with their models."""
        return {schema_id: model for model, schema_id in self._ids.items()}

    async def encode(self, item: BaseModel) -> bytes:
        """Return ``item`` (an event, output or view record) as Avro in the wire format."""
        model = type(item)
        schema_id = await self.schema_id(model)
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, self._schemas.parsed[model], avro_datum(item))
        return pack(schema_id, buffer.getvalue())

    async def decode_event(self, data: bytes | None) -> EventEnvelope:
        """Return the log event in ``data``; raise :class:`CodecError` with a dead-letter reason.

        Only the catalogue's event types are accepted: a hub output or view record written to
        an ingress topic is an ``unknown_event_type``.
        """
        item = await self.decode(data)
        if not isinstance(item, EventEnvelope) or not is_log_event(type(item)):
            raise CodecError(
                "unknown_event_type",
                f"{type(item).__name__} is not an event type partners publish to the log",
            )
        return item

    async def decode_log_record(
        self, data: bytes | None, topic: str, partition: int, offset: int
    ) -> EventEnvelope | None:
        """Return the event of one log record, or None (logged) when it cannot be decoded.

        The gateway writes only valid events to the log, so an undecodable record there is a
        fault (a foreign writer, a lost schema). The live worker and every replay skip it the
        same way, so both still agree; a registry that cannot be reached still raises.
        """
        try:
            return await self.decode_event(data)
        except CodecError as error:
            _log.error(
                "log.undecodable", topic=topic, partition=partition, offset=offset,
                reason=error.reason, error=error.message,
            )  # fmt: skip
            return None

    async def decode(self, data: bytes | None) -> BaseModel:
        """Return the hub model in ``data``; raise :class:`CodecError` with a reason code."""
        schema_id, body = unpack(data)
        return self._read(schema_id, body, await self._writer(schema_id))

    def decode_cached(self, data: bytes | None) -> BaseModel | None:
        """Decode ``data`` without awaiting when its writer schema is cached, else return None.

        The hot loops (replay, export) call this first and fall back to :meth:`decode` (which
        fetches and caches the schema) only for the first record of each schema id. Raises
        :class:`CodecError` as :meth:`decode` does.
        """
        schema_id, body = unpack(data)
        writer = self._writers.get(schema_id)
        return None if writer is None else self._read(schema_id, body, writer)

    def _read(self, schema_id: int, body: memoryview, writer: _Writer) -> BaseModel:
        model = writer.model
        if model is None:
            raise CodecError(
                "unknown_event_type",
                f"schema id {schema_id} describes no event type of the hub's catalogue",
            )
        reader = None if writer.is_current else self._schemas.parsed[model]
        try:
            record = fastavro.schemaless_reader(io.BytesIO(body), writer.parsed, reader)
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

    async def _writer(self, schema_id: int) -> _Writer:
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
        fullname = schema_fullname(raw) if isinstance(raw, dict) else ""
        model = self._schemas.by_fullname.get(fullname)
        is_current = model is not None and raw == self._schemas.raw[model]
        entry = _Writer(parsed, model, is_current)
        self._writers[schema_id] = entry
        return entry
