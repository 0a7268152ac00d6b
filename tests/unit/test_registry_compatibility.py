"""Avro parsing and the compatibility levels of the schema registry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.registry.avro_schema import AvroSchema, parse_avro
from hub.registry.compatibility import (
    DEFAULT_COMPATIBILITY,
    CompatibilityLevel,
    compatibility_errors,
)
from hub.registry.errors import InvalidCompatibilityLevel, InvalidSchema

Level = CompatibilityLevel


def record(*fields: dict[str, Any], name: str = "Incident") -> dict[str, Any]:
    """An Avro record schema in the nl.kcr namespace with ``fields``."""
    return {"type": "record", "name": name, "namespace": "nl.kcr", "fields": list(fields)}


def avro(schema: dict[str, Any]) -> AvroSchema:
    """``schema`` parsed by the registry."""
    return parse_avro(json.dumps(schema))


ID = {"name": "id", "type": "string"}
REGION = {"name": "region", "type": "string"}
NOTE = {"name": "note", "type": ["null", "string"], "default": None}
PRIORITY = {"name": "priority", "type": "int"}

V1 = avro(record(ID, REGION))
WITH_OPTIONAL = avro(record(ID, REGION, NOTE))
WITH_REQUIRED = avro(record(ID, REGION, PRIORITY))
WITHOUT_REGION = avro(record(ID))


def test_same_schema_in_other_spelling_has_the_same_canonical_text() -> None:
    """Whitespace and key order do not change the canonical text."""
    spelled = (
        '{ "fields": [{"type": "string", "name": "id"}, {"name": "region", "type": "string"}],'
    )
    spelled += ' "namespace": "nl.kcr", "name": "Incident", "type": "record" }'
    assert parse_avro(spelled).canonical == V1.canonical
    assert " " not in V1.canonical


def test_invalid_json_is_an_invalid_schema_with_the_parsers_reason() -> None:
    """Text that is not JSON is refused with error code 42201 and the parser's message."""
    with pytest.raises(InvalidSchema) as caught:
        parse_avro("{not json")
    assert caught.value.error_code == 42201
    assert caught.value.http_status == 422
    assert "JSON" in caught.value.message


def test_unknown_type_is_an_invalid_schema() -> None:
    """A field of an undefined type is refused, naming the type."""
    with pytest.raises(InvalidSchema, match=r"nl\.kcr\.Missing"):
        avro(record({"name": "x", "type": "nl.kcr.Missing"}))


def test_empty_schema_is_invalid() -> None:
    """An empty schema text is refused."""
    with pytest.raises(InvalidSchema, match="Empty schema"):
        parse_avro("  ")


@pytest.mark.parametrize(
    ("field", "valid"),
    [
        ({"name": "n", "type": "int", "default": "x"}, False),
        ({"name": "n", "type": "int", "default": 2**31}, False),
        ({"name": "n", "type": "long", "default": 2**31}, True),
        ({"name": "n", "type": ["null", "string"], "default": "x"}, True),
        ({"name": "n", "type": ["null", "string"], "default": 3}, False),
        (
            {"name": "n", "type": {"type": "enum", "name": "E", "symbols": ["A"]}, "default": "B"},
            False,
        ),
        ({"name": "n", "type": {"type": "array", "items": "int"}, "default": [1, 2]}, True),
        ({"name": "n", "type": {"type": "map", "values": "int"}, "default": {"a": "b"}}, False),
        ({"name": "n", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "ab"}, True),
        (
            {
                "name": "n",
                "type": {"type": "long", "logicalType": "timestamp-millis"},
                "default": 0,
            },
            True,
        ),
    ],
)
def test_field_defaults_are_checked_against_their_types(field: dict[str, Any], valid: bool) -> None:
    """A default that does not match its field's type is refused, as Avro's Java parser does."""
    schema = record(ID, field)
    if valid:
        avro(schema)
    else:
        with pytest.raises(InvalidSchema, match="Invalid default for field n"):
            avro(schema)


def test_nested_record_defaults_are_checked() -> None:
    """Defaults inside a nested record type are checked too."""
    inner = {
        "type": "record",
        "name": "Inner",
        "fields": [{"name": "k", "type": "int", "default": "x"}],
    }
    with pytest.raises(InvalidSchema, match="field k"):
        avro(record(ID, {"name": "inner", "type": inner}))


@pytest.mark.parametrize("text", ["full_transitive", "Backward", "NONE"])
def test_levels_parse_in_any_case(text: str) -> None:
    """Level names are accepted in any case, as Confluent's registry does."""
    assert Level.parse(text) is CompatibilityLevel[text.upper()]


@pytest.mark.parametrize("text", ["SIDEWAYS", "", None, 3])
def test_unknown_levels_are_refused(text: object) -> None:
    """Anything else is error 42203."""
    with pytest.raises(InvalidCompatibilityLevel) as caught:
        Level.parse(text)
    assert caught.value.error_code == 42203


def test_the_default_level_is_full_transitive() -> None:
    """The hub's default level is FULL_TRANSITIVE (see the module's reasoning)."""
    assert DEFAULT_COMPATIBILITY is Level.FULL_TRANSITIVE


@pytest.mark.parametrize("level", list(Level))
def test_adding_an_optional_field_with_a_default_passes_every_level(level: Level) -> None:
    """A new field with a default can be read both ways."""
    assert compatibility_errors(level, WITH_OPTIONAL, [(1, V1)]) == []


@pytest.mark.parametrize(
    ("level", "refused"),
    [
        (Level.NONE, False),
        (Level.BACKWARD, True),
        (Level.BACKWARD_TRANSITIVE, True),
        (Level.FORWARD, False),
        (Level.FORWARD_TRANSITIVE, False),
        (Level.FULL, True),
        (Level.FULL_TRANSITIVE, True),
    ],
)
def test_adding_a_required_field_breaks_backward(level: Level, refused: bool) -> None:
    """The new reader has no value for a field that old data lacks, unless it has a default."""
    errors = compatibility_errors(level, WITH_REQUIRED, [(1, V1)])
    assert bool(errors) is refused
    if refused:
        assert "READER_FIELD_MISSING_DEFAULT_VALUE" in errors[0]
        assert "'priority'" in errors[0]
        assert "/fields/2" in errors[0]


@pytest.mark.parametrize(
    ("level", "refused"),
    [
        (Level.NONE, False),
        (Level.BACKWARD, False),
        (Level.BACKWARD_TRANSITIVE, False),
        (Level.FORWARD, True),
        (Level.FORWARD_TRANSITIVE, True),
        (Level.FULL, True),
        (Level.FULL_TRANSITIVE, True),
    ],
)
def test_removing_a_required_field_breaks_forward_only(level: Level, refused: bool) -> None:
    """Old readers need the removed field; new readers just skip it, so BACKWARD allows it."""
    errors = compatibility_errors(level, WITHOUT_REGION, [(1, V1)])
    assert bool(errors) is refused
    if refused:
        assert "'region'" in errors[0]
        assert "of the old schema has no default value" in errors[0]


def test_default_level_accepts_v2_with_optional_field_and_refuses_v3_without_required_field() -> (
    None
):
    """The scenario of the issue holds under the default level."""
    assert compatibility_errors(DEFAULT_COMPATIBILITY, WITH_OPTIONAL, [(1, V1)]) == []
    v3 = avro(record(ID, NOTE))
    errors = compatibility_errors(DEFAULT_COMPATIBILITY, v3, [(1, V1), (2, WITH_OPTIONAL)])
    assert errors
    assert "'region'" in errors[0]
    assert errors[-3:] == [
        "{oldSchemaVersion: 2}",
        f"{{oldSchema: '{WITH_OPTIONAL.canonical}'}}",
        "{compatibility: 'FULL_TRANSITIVE'}",
    ]


def test_transitive_levels_check_every_version_not_only_the_latest() -> None:
    """A schema that only the latest version accepts passes BACKWARD, not BACKWARD_TRANSITIVE."""
    v2 = avro(record(ID, REGION, {"name": "priority", "type": "int", "default": 0}))
    v3 = WITH_REQUIRED  # priority without default: reads v2 data, not v1 data
    history = [(1, V1), (2, v2)]
    assert compatibility_errors(Level.BACKWARD, v3, history) == []
    errors = compatibility_errors(Level.BACKWARD_TRANSITIVE, v3, history)
    assert "{oldSchemaVersion: 1}" in errors


def test_type_changes_follow_avro_promotion() -> None:
    """Data written as int can be read as long; data written as long cannot be read as int."""
    as_int = avro(record(ID, {"name": "count", "type": "int"}))
    as_long = avro(record(ID, {"name": "count", "type": "long"}))
    assert compatibility_errors(Level.BACKWARD, as_long, [(1, as_int)]) == []
    errors = compatibility_errors(Level.FULL, as_long, [(1, as_int)])
    assert "TYPE_MISMATCH" in errors[0]
    assert "/fields/1" in errors[0]


def test_several_findings_are_summarised_with_all_their_paths() -> None:
    """Two missing fields are reported together, with both paths and both names."""
    two_required = avro(record(ID, REGION, PRIORITY, {"name": "team", "type": "string"}))
    errors = compatibility_errors(Level.BACKWARD, two_required, [(1, V1)])
    assert "2 incompatibilities" in errors[0]
    assert "/fields/2" in errors[0]
    assert "/fields/3" in errors[0]
    assert "priority; team" in errors[0]


def test_no_history_is_always_compatible() -> None:
    """The first version of a subject has nothing to be compatible with."""
    assert compatibility_errors(Level.FULL_TRANSITIVE, V1, []) == []
