"""The registry's topic records and their JSON key/value bytes."""

from __future__ import annotations

import json

import pytest

from hub.registry.compatibility import CompatibilityLevel
from hub.registry.records import (
    ConfigChanged,
    Record,
    SchemaVersionWritten,
    SubjectDeleted,
    from_kafka,
    to_kafka,
)


@pytest.mark.parametrize(
    "record",
    [
        SchemaVersionWritten("incident-value", 3, 7, '{"type":"string"}'),
        SchemaVersionWritten("incident-value", 3, 7, '{"type":"string"}', deleted=True),
        ConfigChanged("incident-value", CompatibilityLevel.FULL),
        ConfigChanged(None, CompatibilityLevel.NONE),
        ConfigChanged("incident-value", None),
        SubjectDeleted("incident-value", 4),
    ],
)
def test_records_survive_the_round_trip(record: Record) -> None:
    """Every record reads back as written."""
    assert from_kafka(*to_kafka(record)) == record


def test_schema_records_use_confluents_layout() -> None:
    """Keys and values have the fields of Confluent's _schemas topic."""
    key, value = to_kafka(SchemaVersionWritten("s", 1, 2, '"int"'))
    assert json.loads(key) == {"keytype": "SCHEMA", "subject": "s", "version": 1, "magic": 1}
    assert value is not None
    assert json.loads(value) == {
        "subject": "s",
        "version": 1,
        "id": 2,
        "schema": '"int"',
        "deleted": False,
    }


def test_the_same_key_has_the_same_bytes() -> None:
    """Compaction needs one byte string per logical key."""
    first, _ = to_kafka(ConfigChanged("s", CompatibilityLevel.FULL))
    cleared, tombstone = to_kafka(ConfigChanged("s", None))
    assert first == cleared
    assert tombstone is None


def test_entries_without_state_are_skipped() -> None:
    """NOOP keys and schema tombstones carry nothing to apply."""
    assert from_kafka(b'{"keytype":"NOOP","magic":0}', None) is None
    assert from_kafka(b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', None) is None


@pytest.mark.parametrize(
    ("key", "value"),
    [(None, b"{}"), (b"not json", b"{}"), (b'{"keytype":"SCHEMA"}', b'{"subject":"s"}')],
)
def test_foreign_entries_are_value_errors(key: bytes | None, value: bytes) -> None:
    """An entry that is not a registry record raises ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError subclass says "not ours"
        from_kafka(key, value)
