"""The record schema of a log archive: one Avro record per Kafka record, the event typed.

Each archive record holds the Kafka coordinates (topic, partition, offset, timestamp), the key,
the headers, the registry schema id the event was written with, the event's record full name,
and the event itself as an Avro record under a union of every event schema of the catalogue.

Why the event is stored typed rather than as its original wire bytes: a plain Avro reader in
any language (Java ``DataFileReader``, Python ``avro``, ``avro-tools tojson``, Spark) then reads
the event's fields directly from the file's own schema, with no Confluent framing to strip, no
registry to ask and no second decoding step. Records a partner wrote with an older schema
version are resolved to the hub's current schema at export (as the processors read them); the
``schema_id`` field keeps which registered schema the original bytes used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from hub.codec.serde import schema_fullname
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.models import schema_for

__all__ = ["ARCHIVE_RECORD_NAME", "archive_schema", "event_models", "merge_named_types"]

ARCHIVE_RECORD_NAME = "nl.kcr.archive.LogRecord"
"""Full name of the archive's record type."""

_NAMED = ("record", "enum", "fixed")
_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def event_models() -> dict[str, type[BaseModel]]:
    """Return every log event model by its Avro record full name (the union's branch names)."""
    return {schema_fullname(schema_for(model)): model for model in EVENT_TYPES.values()}


def merge_named_types(schemas: Iterable[Any]) -> list[Any]:
    """Return ``schemas`` as one union, every named type defined once and named in full.

    Each event schema is self-contained, so two event types of one family both define e.g.
    ``nl.kcr.incident.Tlp``; a union may define a name only once, so later definitions become
    references by full name.
    """
    defined: set[str] = set()
    return [_absolute(schema, "", defined) for schema in schemas]


def _absolute(schema: Any, namespace: str, defined: set[str]) -> Any:
    if isinstance(schema, str):
        return _fullname(schema, namespace) if schema not in _PRIMITIVES else schema
    if isinstance(schema, list):
        return [_absolute(branch, namespace, defined) for branch in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind not in _NAMED:
        return _composite(schema, namespace, defined)
    fullname = _fullname(str(schema["name"]), str(schema.get("namespace", namespace)))
    if fullname in defined:
        return fullname
    defined.add(fullname)
    inner = fullname.rpartition(".")[0]
    out = {k: v for k, v in schema.items() if k not in ("namespace", "fields")}
    out["name"] = fullname
    if kind == "record":
        out["fields"] = [
            {**item, "type": _absolute(item["type"], inner, defined)} for item in schema["fields"]
        ]
    return out


def _composite(schema: dict[str, Any], namespace: str, defined: set[str]) -> dict[str, Any]:
    out = dict(schema)
    if schema.get("type") == "array":
        out["items"] = _absolute(schema["items"], namespace, defined)
    elif schema.get("type") == "map":
        out["values"] = _absolute(schema["values"], namespace, defined)
    elif isinstance(schema.get("type"), dict | list):
        out["type"] = _absolute(schema["type"], namespace, defined)
    return out


def _fullname(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def archive_schema() -> dict[str, Any]:
    """Return the archive's record schema (JSON-able), the events under one union."""
    union = merge_named_types(schema_for(model) for model in EVENT_TYPES.values())
    header = {
        "type": "record",
        "name": "nl.kcr.archive.Header",
        "fields": [
            {"name": "key", "type": "string"},
            {"name": "value", "type": ["null", "bytes"], "default": None},
        ],
    }
    return {
        "type": "record",
        "name": ARCHIVE_RECORD_NAME,
        "doc": "One record of a KCR hub log topic, with its event decoded.",
        "fields": [
            {"name": "topic", "type": "string", "doc": "Kafka topic it was read from."},
            {"name": "partition", "type": "int"},
            {"name": "offset", "type": "long"},
            {
                "name": "timestamp",
                "type": {"type": "long", "logicalType": "timestamp-millis"},
                "doc": "The Kafka record's timestamp.",
            },
            {"name": "key", "type": ["null", "bytes"], "default": None},
            {"name": "headers", "type": {"type": "array", "items": header}, "default": []},
            {"name": "schema_id", "type": "int", "doc": "Registry id of the writer schema."},
            {"name": "event_type", "type": "string", "doc": "Full name of the event's record."},
            {"name": "event", "type": union, "doc": "The event, resolved to the hub's schema."},
        ],
    }
