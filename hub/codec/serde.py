"""Hub models to bytes and back: Avro bodies in the Confluent wire format, schemas by registry id.

Writers register each model's schema under its record full name (Confluent's RecordNameStrategy,
since one topic holds several types) and cache the id. Readers fetch the writer's schema by id
once (parsed once, cached per id), resolve it against the hub's current schema of that type
(Avro schema resolution), and validate the result with the pydantic model. The models are the
log's events, the hub's outputs and the view records (:func:`hub.contracts.models.hub_models`).

Records of the hub's own log are the exception (:meth:`EventCodec.decode_log_record`,
:meth:`EventCodec.decode_log_values`): only the gateway writes there, and it validated every
event before writing it, so a record whose writer schema is the hub's current schema of its
type is built without validating again (:func:`hub.contracts.avro_build.trusted_builder`, ~3x
cheaper than ``model_validate``). A record written with another schema version is validated as
ever, and so is everything decoded by :meth:`EventCodec.decode` and
:meth:`EventCodec.decode_cached`: partners' ingress, outputs, views.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias, cast

import fastavro
from pydantic import BaseModel, ValidationError

from hub.codec.headers import dataschema_url
from hub.codec.registry_client import SchemaRegistry
from hub.codec.wire import HEADER_SIZE, pack, unpack
from hub.contracts.avro_build import trusted_builder
from hub.contracts.avro_schema import avro_datum, from_avro_record, to_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import hub_models, is_log_event, schema_for
from hub.errors import CodecError
from hub.logs import get_logger

__all__ = [
    "HUB_COMPATIBILITY",
    "EventCodec",
    "LogDecoded",
    "LogRecord",
    "describe_validation_error",
    "log_undecodable",
    "schema_fullname",
]

_log = get_logger("hub.codec")

HUB_COMPATIBILITY = "FULL_TRANSITIVE"
"""The compatibility level of every hub subject (see :meth:`EventCodec.register_all`)."""

ParsedSchema: TypeAlias = Any  # fastavro's parsed schema (a dict with named types expanded)
Model: TypeAlias = type[BaseModel]
LogDecoded: TypeAlias = EventEnvelope | CodecError
"""What :meth:`EventCodec.decode_log_values` gives per value: its event, or why it has none."""
LogRecord: TypeAlias = tuple[type[EventEnvelope], dict[str, Any]]
"""A log event's type and its Avro record as the hub's current schema of the type describes it."""
_Build: TypeAlias = Callable[[dict[str, Any]], EventEnvelope]
_read_avro = cast(  # with a record schema as the writer's, it returns the record's dict
    "Callable[[io.BytesIO, ParsedSchema, None], dict[str, Any]]", fastavro.schemaless_reader
)


def schema_fullname(schema: Mapping[str, Any]) -> str:
    """Return ``namespace.name`` of a record schema (the registry subject of the type)."""
    name = str(schema["name"])
    namespace = schema.get("namespace")
    return name if "." in name or not namespace else f"{namespace}.{name}"


def log_undecodable(error: CodecError, topic: str, partition: int, offset: int) -> None:
    """Log a log record that cannot be decoded (``log.undecodable``), where it is and why."""
    _log.error(
        "log.undecodable", topic=topic, partition=partition, offset=offset,
        reason=error.reason, error=error.message,
    )  # fmt: skip


def describe_validation_error(error: ValidationError) -> str:
    """Summarise a pydantic error as ``field.path: message`` items, the field first."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(event)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _undecodable(data: bytes, error: Exception) -> CodecError:
    schema_id, _ = unpack(data)
    return CodecError("undecodable", f"Avro body does not match schema id {schema_id}: {error!r}")


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
    """A writer schema seen on the wire: its parsed form and the hub model it maps to.

    ``trusted`` builds the model without validating: set only for a log event type whose
    current schema this is (see the module's docstring).
    """

    __slots__ = ("is_current", "is_log_event", "model", "parsed", "trusted")

    def __init__(self, parsed: ParsedSchema, model: Model | None, is_current: bool) -> None:
        self.parsed = parsed
        self.model = model
        self.is_current = is_current
        self.is_log_event = model is not None and is_log_event(model)
        self.trusted: _Build | None = None
        if model is not None and is_current and self.is_log_event:
            self.trusted = trusted_builder(cast("type[EventEnvelope]", model))


class EventCodec:
    """Encode and decode hub models against a Confluent-compatible schema registry."""

    def __init__(self, registry: SchemaRegistry, models: Iterable[Model] | None = None) -> None:
        """Use ``registry`` for schema ids; nothing is fetched until needed."""
        self.registry = registry
        self._schemas = _Schemas(hub_models() if models is None else models)
        self._ids: dict[Model, int] = {}
        self._writers: dict[int, _Writer] = {}
        self._trusted: dict[bytes, _Writer] = {}  # by wire header (magic byte and schema id)
        self._dataschemas: dict[bytes, str | None] = {}  # ce_dataschema by wire header

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
            self._remember(schema_id, _Writer(self._schemas.parsed[model], model, True))
        return self._ids[model]

    def registered(self) -> dict[int, Model]:
        """Return the schema ids this codec registered or looked up, with their models."""
        return {schema_id: model for model, schema_id in self._ids.items()}

    def dataschema(self, value: bytes) -> str | None:
        """The ``ce_dataschema`` URI of the writer schema of encoded ``value``.

        None when the registry has no URL (an in-memory registry of a test) or ``value`` is not
        framed; raises nothing, since a record is published without the header rather than not
        at all.
        """
        header = value[:HEADER_SIZE]
        if header not in self._dataschemas:  # once per schema id: the gateway asks per record
            url = getattr(self.registry, "url", None)
            try:
                schema_id, _ = unpack(value)
            except CodecError:
                return None
            found = dataschema_url(url, schema_id) if isinstance(url, str) and url else None
            self._dataschemas[header] = found
        return self._dataschemas[header]

    async def encode(self, item: BaseModel) -> bytes:
        """Return ``item`` (an event, output or view record) as Avro in the wire format."""
        model = type(item)
        schema_id = await self.schema_id(model)
        buffer = io.BytesIO()
        # a tuple field of two items in a nullable union is an array, not fastavro's
        # (type name, value) notation for a union branch: it is off
        fastavro.schemaless_writer(
            buffer, self._schemas.parsed[model], avro_datum(item), disable_tuple_notation=True
        )
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
        same way, so both still agree; a registry that cannot be reached still raises. A record
        of the current schema of its type is built without validating it again.
        """
        item = self._log_cached(data)
        if item is None:
            item = await self._log_fetched(data)
        if isinstance(item, CodecError):
            log_undecodable(item, topic, partition, offset)
            return None
        return item

    async def decode_log_values(self, values: Sequence[bytes | None]) -> list[LogDecoded]:
        """Return the event of each log record value, or the :class:`CodecError` saying why not.

        The batch form of :meth:`decode_log_record` (which logs; here the caller knows where
        each value was and logs with :func:`log_undecodable`). Only the first value of a schema
        id not seen before waits, for the registry; a registry that cannot be reached raises.
        """
        decoded: list[LogDecoded] = []
        append, trusted, read = decoded.append, self._trusted, _read_avro
        for value in values:
            writer = trusted.get(value[:HEADER_SIZE]) if value is not None else None
            if value is not None and writer is not None and writer.trusted is not None:  # inline
                stream = io.BytesIO(value)  # shares ``value`` (no copy), unlike a memoryview
                stream.seek(HEADER_SIZE)
                try:
                    append(writer.trusted(read(stream, writer.parsed, None)))
                except Exception as error:
                    append(_undecodable(value, error))
                continue
            item = self._log_cached(value)
            append(item if item is not None else await self._log_fetched(value))
        return decoded

    async def decode_log_records(
        self, values: Sequence[bytes | None]
    ) -> list[LogRecord | CodecError]:
        """Return the type and Avro record of each log record value's event, or why not.

        For writing the events elsewhere (``kcr export``): a record of the current schema of
        its type is handed on as read, no model built; one of another schema version is
        validated and given as :func:`~hub.contracts.avro_schema.to_avro_record` makes it.
        Raises as :meth:`decode_log_values` does.
        """
        decoded: list[LogRecord | CodecError] = []
        append, trusted, read = decoded.append, self._trusted, _read_avro
        for value in values:
            writer = trusted.get(value[:HEADER_SIZE]) if value is not None else None
            if value is not None and writer is not None and writer.model is not None:
                stream = io.BytesIO(value)
                stream.seek(HEADER_SIZE)
                try:
                    append(
                        (
                            cast("type[EventEnvelope]", writer.model),
                            read(stream, writer.parsed, None),
                        )
                    )
                except Exception as error:
                    append(_undecodable(value, error))
                continue
            item = self._log_cached(value)
            item = item if item is not None else await self._log_fetched(value)
            append(item if isinstance(item, CodecError) else (type(item), to_avro_record(item)))
        return decoded

    def _log_cached(self, data: bytes | None) -> LogDecoded | None:
        """The log event in ``data`` or why not; None when its writer schema is not cached."""
        try:
            schema_id, _ = unpack(data)
            writer = self._writers.get(schema_id)
            return None if writer is None else self._log_event(schema_id, data, writer)
        except CodecError as error:
            return error

    async def _log_fetched(self, data: bytes | None) -> LogDecoded:
        """The log event in ``data`` or why not, fetching its writer schema first."""
        try:
            schema_id, _ = unpack(data)
            return self._log_event(schema_id, data, await self._writer(schema_id))
        except CodecError as error:
            return error

    def _log_event(self, schema_id: int, data: Any, writer: _Writer) -> EventEnvelope:
        """Decode one framed log record: built as trusted when it may be, else validated."""
        if writer.trusted is None:
            item = self._read(schema_id, memoryview(data)[HEADER_SIZE:], writer)
            if not isinstance(item, EventEnvelope) or not writer.is_log_event:
                raise CodecError(
                    "unknown_event_type",
                    f"{type(item).__name__} is not an event type partners publish to the log",
                )
            return item
        stream = io.BytesIO(data)  # shares ``data`` (no copy), unlike a memoryview of it
        stream.seek(HEADER_SIZE)
        try:
            return writer.trusted(_read_avro(stream, writer.parsed, None))
        except Exception as error:
            raise _undecodable(data, error) from error

    async def decode(self, data: bytes | None) -> BaseModel:
        """Return the hub model in ``data``; raise :class:`CodecError` with a reason code."""
        schema_id, body = unpack(data)
        return self._read(schema_id, body, await self._writer(schema_id))

    def decode_cached(self, data: bytes | None) -> BaseModel | None:
        """Decode ``data`` without awaiting when its writer schema is cached, else return None.

        Validates, as :meth:`decode` does (the gateway's ingress loop calls this first and falls
        back to :meth:`decode` only for the first record of each schema id). Raises
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
        # compared parsed: the registry spells out the namespace of every nested named type
        is_current = model is not None and parsed == self._schemas.parsed[model]
        return self._remember(schema_id, _Writer(parsed, model, is_current))

    def _remember(self, schema_id: int, writer: _Writer) -> _Writer:
        self._writers[schema_id] = writer
        if writer.trusted is not None:
            self._trusted[pack(schema_id, b"")] = writer
        return writer
