"""The records the registry writes to its compacted topic, and their JSON key/value bytes.

The layout follows Confluent's ``_schemas`` topic, so the topic reads familiarly:

- ``{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}`` →
  ``{"subject":s,"version":v,"id":n,"schema":"...","deleted":false}``
- ``{"keytype":"CONFIG","subject":s or null,"magic":0}`` → ``{"compatibilityLevel":"FULL"}``,
  or a tombstone (no value) when the level is cleared
- ``{"keytype":"DELETE_SUBJECT","subject":s,"magic":0}`` → ``{"subject":s,"version":v}``: every
  version up to ``v`` is soft-deleted

Each key names exactly what its value replaces, so compaction keeps the current state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hub.registry.compatibility import CompatibilityLevel

__all__ = [
    "ConfigChanged",
    "Record",
    "SchemaVersionWritten",
    "SubjectDeleted",
    "from_kafka",
    "to_kafka",
]


@dataclass(frozen=True)
class SchemaVersionWritten:
    """Version ``version`` of ``subject`` is schema ``schema_id`` (``deleted``: soft-deleted)."""

    subject: str
    version: int
    schema_id: int
    schema: str
    deleted: bool = False


@dataclass(frozen=True)
class ConfigChanged:
    """The level of ``subject`` (None: the global level) is now ``level`` (None: cleared)."""

    subject: str | None
    level: CompatibilityLevel | None


@dataclass(frozen=True)
class SubjectDeleted:
    """Every version of ``subject`` up to ``up_to_version`` is soft-deleted."""

    subject: str
    up_to_version: int


Record = SchemaVersionWritten | ConfigChanged | SubjectDeleted


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def to_kafka(record: Record) -> tuple[bytes, bytes | None]:
    """The key and value bytes of ``record`` (value None is a tombstone)."""
    match record:
        case SchemaVersionWritten(subject, version, schema_id, schema, deleted):
            key = {"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1}
            value = {"subject": subject, "version": version, "id": schema_id, "schema": schema,
                     "deleted": deleted}  # fmt: skip
            return _dump(key), _dump(value)
        case ConfigChanged(subject, level):
            key = {"keytype": "CONFIG", "subject": subject, "magic": 0}
            return _dump(key), None if level is None else _dump({"compatibilityLevel": level})
        case SubjectDeleted(subject, up_to_version):
            key = {"keytype": "DELETE_SUBJECT", "subject": subject, "magic": 0}
            return _dump(key), _dump({"subject": subject, "version": up_to_version})


def from_kafka(key: bytes | None, value: bytes | None) -> Record | None:
    """The record in a topic entry; None for entries that carry no state (NOOP, tombstones).

    Raises ``ValueError`` when the entry is not a registry record.
    """
    try:
        return _decode(key, value)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a registry record: {error!r}") from error


def _decode(key: bytes | None, value: bytes | None) -> Record | None:
    if key is None:
        raise ValueError("registry record without a key")
    head = json.loads(key)
    keytype = head.get("keytype")
    if keytype == "CONFIG":
        level = None if value is None else json.loads(value)["compatibilityLevel"]
        return ConfigChanged(head["subject"], None if level is None else CompatibilityLevel(level))
    if value is None or keytype not in ("SCHEMA", "DELETE_SUBJECT"):
        return None
    body = json.loads(value)
    if keytype == "DELETE_SUBJECT":
        return SubjectDeleted(str(body["subject"]), int(body["version"]))
    return SchemaVersionWritten(
        subject=str(body["subject"]),
        version=int(body["version"]),
        schema_id=int(body["id"]),
        schema=str(body["schema"]),
        deleted=bool(body.get("deleted", False)),
    )
