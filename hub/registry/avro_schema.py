"""Parsing Avro schema text into the registry's canonical form, with Avro's default checks.

Two texts of the same schema (other whitespace, other key order) get the same canonical text, so
they get the same schema id, as in Confluent's registry. Field defaults are checked against their
types the way Avro's Java parser does (a union default may match any branch), because the Python
``avro`` parser does not check them and a bad default only fails later, in a reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import avro.errors
import avro.schema

from hub.registry.errors import InvalidSchema

__all__ = ["AVRO", "AvroSchema", "parse_avro"]

AVRO = "AVRO"
_INT_RANGE = range(-(2**31), 2**31)
_LONG_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class AvroSchema:
    """A parsed Avro schema and its canonical text (what the registry stores and returns)."""

    canonical: str
    parsed: avro.schema.Schema = field(compare=False, repr=False)


def parse_avro(text: str) -> AvroSchema:
    """Parse ``text`` into an :class:`AvroSchema`; raise :class:`InvalidSchema` with the reason."""
    if not text or not text.strip():
        raise InvalidSchema("Empty schema")
    try:
        parsed = avro.schema.parse(text)
    except (avro.errors.AvroException, ValueError, TypeError, KeyError) as error:
        raise InvalidSchema(f"Invalid schema: {error}") from error
    problem = _first_invalid_default(parsed, set())
    if problem:
        raise InvalidSchema(f"Invalid schema: {problem}")
    canonical = json.dumps(parsed.to_json(), separators=(",", ":"), ensure_ascii=False)
    return AvroSchema(canonical, parsed)


def _first_invalid_default(schema: avro.schema.Schema, seen: set[str]) -> str | None:
    """The first field default in ``schema`` that does not match its type, described, or None."""
    if isinstance(schema, avro.schema.RecordSchema):
        if schema.fullname in seen:
            return None
        seen.add(schema.fullname)
        for record_field in schema.fields:
            if record_field.has_default and not _matches(record_field.type, record_field.default):
                return (
                    f"Invalid default for field {record_field.name}: "
                    f"{json.dumps(record_field.default)} not a {record_field.type}"
                )
            problem = _first_invalid_default(record_field.type, seen)
            if problem:
                return problem
        return None
    return _first_invalid_in_children(schema, seen)


def _first_invalid_in_children(schema: avro.schema.Schema, seen: set[str]) -> str | None:
    children: list[avro.schema.Schema] = []
    if isinstance(schema, avro.schema.ArraySchema):
        children = [schema.items]
    elif isinstance(schema, avro.schema.MapSchema):
        children = [schema.values]
    elif isinstance(schema, avro.schema.UnionSchema):
        children = list(schema.schemas)
    for child in children:
        problem = _first_invalid_default(child, seen)
        if problem:
            return problem
    return None


def _matches(schema: avro.schema.Schema, value: Any) -> bool:
    """Whether the JSON ``value`` is a valid default for ``schema`` (Avro's Java rules)."""
    kind = schema.type
    if isinstance(schema, avro.schema.UnionSchema):
        return any(_matches(branch, value) for branch in schema.schemas)
    if isinstance(schema, avro.schema.RecordSchema):
        return isinstance(value, dict) and all(
            _matches(f.type, value[f.name]) if f.name in value else f.has_default
            for f in schema.fields
        )
    if isinstance(schema, avro.schema.ArraySchema):
        return isinstance(value, list) and all(_matches(schema.items, v) for v in value)
    if isinstance(schema, avro.schema.MapSchema):
        return isinstance(value, dict) and all(_matches(schema.values, v) for v in value.values())
    if isinstance(schema, avro.schema.EnumSchema):
        return isinstance(value, str) and value in schema.symbols
    if isinstance(schema, avro.schema.FixedSchema):
        return isinstance(value, str) and len(value) == schema.size
    return _matches_primitive(kind, value)


def _matches_primitive(kind: str, value: Any) -> bool:
    is_integer = isinstance(value, int) and not isinstance(value, bool)
    checks = {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "int": is_integer and value in _INT_RANGE,
        "long": is_integer and value in _LONG_RANGE,
        "float": is_integer or isinstance(value, float),
        "double": is_integer or isinstance(value, float),
        "bytes": isinstance(value, str),
        "string": isinstance(value, str),
    }
    return checks.get(kind, False)
