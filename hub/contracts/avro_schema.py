"""Avro schemas generated from the event models, and converters to and from Avro records.

The pydantic models are the source of truth; ``schemas/*.avsc`` are generated from them and
checked in as the public contract for partners on any stack::

    python -m hub.contracts.avro_schema --write schemas/   # regenerate the files
    python -m hub.contracts.avro_schema --check schemas/   # exit 1 if they are out of date

Mapping: ``str`` → string, ``int`` → long, ``float`` → double, ``bool`` → boolean, ``datetime``
→ long/timestamp-micros, str ``Enum`` → enum, ``Literal`` strings → string, tuples → array,
models → records, ``X | None`` → ``["null", X]`` with default null. Reference-data codes stay
strings so the tables can change without a schema change. This module is pure: the converters
produce and consume the plain dicts that an Avro library (fastavro) writes and reads.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import types
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hub.contracts.events.catalogue import EVENT_TYPES, family_of
from hub.contracts.events.envelope import EventEnvelope

__all__ = [
    "AVRO_NAMESPACE",
    "avro_datum",
    "avro_schema_for",
    "check_schemas",
    "from_avro_record",
    "main",
    "render_schemas",
    "schema_file_name",
    "to_avro_record",
    "write_schemas",
]

AVRO_NAMESPACE = "nl.kcr"
"""Namespace of every generated schema; event schemas use ``nl.kcr.<family>``."""

_M = TypeVar("_M", bound=BaseModel)
_TIMESTAMP = {"type": "long", "logicalType": "timestamp-micros"}
_PRIMITIVES: Mapping[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}


def avro_schema_for(model: type[BaseModel], *, namespace: str | None = None) -> dict[str, Any]:
    """Return the self-contained Avro record schema of ``model``.

    The record is named after the class, in ``namespace`` (default: ``nl.kcr.<family>`` for an
    event class, else ``nl.kcr``). Nested records and enums are defined once, at first use,
    and referred to by name afterwards; two different types with one name are an error.
    """
    builder = _SchemaBuilder()
    schema = builder.record(model)
    if not isinstance(schema, dict):  # pragma: no cover - the first use always defines it
        raise TypeError(f"{model.__name__} was not defined")
    return {"namespace": namespace or _namespace_of(model), **schema}


def _namespace_of(model: type[BaseModel]) -> str:
    if issubclass(model, EventEnvelope) and model.model_fields["type"].default in EVENT_TYPES:
        return f"{AVRO_NAMESPACE}.{family_of(model.declared_type())}"
    return AVRO_NAMESPACE


def _doc(cls: type) -> str | None:
    return inspect.cleandoc(cls.__doc__) if cls.__doc__ else None


class _SchemaBuilder:
    """Turns annotations into Avro types, remembering the named types already defined."""

    def __init__(self) -> None:
        self._named: dict[str, type] = {}

    def _define(self, cls: type, schema: dict[str, Any]) -> dict[str, Any] | str:
        known = self._named.get(cls.__name__)
        if known is cls:
            return cls.__name__
        if known is not None:
            raise TypeError(f"two different types are named {cls.__name__} in one schema")
        self._named[cls.__name__] = cls
        doc = _doc(cls)
        return {**schema, "name": cls.__name__, **({"doc": doc} if doc else {})}

    def record(self, model: type[BaseModel]) -> dict[str, Any] | str:
        """Return the record schema of ``model``, or its name if already defined."""
        schema = self._define(model, {"type": "record"})
        if isinstance(schema, dict):
            schema["fields"] = [self._field(name, f) for name, f in model.model_fields.items()]
        return schema

    def enum(self, enum: type[Enum]) -> dict[str, Any] | str:
        """Return the enum schema of ``enum``, or its name if already defined."""
        symbols = [member.value for member in enum]
        if not all(isinstance(symbol, str) for symbol in symbols):
            raise TypeError(f"{enum.__name__}: only str enums map to Avro enums")
        return self._define(enum, {"type": "enum", "symbols": symbols})

    def _field(self, name: str, info: FieldInfo) -> dict[str, Any]:
        avro_type = self.type_of(info.annotation)
        field: dict[str, Any] = {"name": name, "type": avro_type}
        if info.description:
            field["doc"] = info.description
        if not info.is_required():
            default = _avro_default(info.get_default(call_default_factory=True))
            if default is not None and isinstance(avro_type, list):
                field["type"] = [t for t in avro_type if t != "null"] + ["null"]
            field["default"] = default
        return field

    def type_of(self, annotation: Any) -> Any:
        """Return the Avro type of a Python type annotation."""
        origin = get_origin(annotation)
        args = get_args(annotation)
        if origin is Annotated:
            return self.type_of(args[0])
        if origin in (Union, types.UnionType):
            return self._union(args)
        if origin is Literal and all(isinstance(arg, str) for arg in args):
            return "string"
        if origin in (tuple, list) and (origin is list or (len(args) == 2 and args[1] is ...)):
            return {"type": "array", "items": self.type_of(args[0])}
        if annotation in _PRIMITIVES:
            return _PRIMITIVES[annotation]
        if annotation is datetime:
            return dict(_TIMESTAMP)
        if inspect.isclass(annotation) and issubclass(annotation, Enum):
            return self.enum(annotation)
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            return self.record(annotation)
        raise TypeError(f"no Avro type for {annotation!r}")

    def _union(self, args: tuple[Any, ...]) -> list[Any]:
        members = [arg for arg in args if arg is not type(None)]
        if len(members) != 1:
            raise TypeError(f"only 'X | None' unions map to Avro, not {args!r}")
        return ["null", self.type_of(members[0])]


def _avro_default(value: object) -> object:
    """Return the JSON form of a field default, as Avro wants it in a schema."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return [_avro_default(item) for item in value]
    raise TypeError(f"no Avro default for {value!r}")


def to_avro_record(instance: BaseModel) -> dict[str, Any]:
    """Return ``instance`` as the plain dict an Avro writer takes for its generated schema.

    Enums become their symbols, tuples lists; datetimes stay (aware, UTC) datetimes.
    """
    record = _plain(instance.model_dump())
    if not isinstance(record, dict):  # pragma: no cover - model_dump always returns a dict
        raise TypeError("model_dump did not return a dict")
    return record


def avro_datum(instance: BaseModel) -> dict[str, Any]:
    """Return ``instance`` as a datum fastavro writes to the same bytes as :func:`to_avro_record`.

    The hot path of every output: ``model_dump`` as it is. The contracts' enums are ``StrEnum``
    (equal to their symbols, so fastavro's enum and union writers take them as they are) and
    fastavro writes any sequence as an array, so the walk of :func:`to_avro_record` over every
    value (it cost ~4x the write of a region view of 500 incident ids) is not needed. Write it
    with ``disable_tuple_notation=True``: otherwise fastavro reads a tuple in a union (an
    optional list of two items) as ``(branch name, value)``. ``tests/unit/test_avro_datum.py``
    checks the bytes are equal.
    """
    return instance.model_dump()


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def from_avro_record(model: type[_M], record: Mapping[str, Any]) -> _M:
    """Validate a record read with ``model``'s generated schema back into a ``model``."""
    return model.model_validate(record)


def schema_file_name(event_type: str) -> str:
    """Return the schema file name of ``event_type``: ``<family>.<verb>.avsc``."""
    family = family_of(event_type)
    return f"{family}.{event_type.rsplit('.', 1)[1]}.avsc"


def render_schemas() -> dict[str, str]:
    """Return the text of every event schema file, by file name (sorted, stable JSON)."""
    return {
        schema_file_name(event_type): json.dumps(
            avro_schema_for(model), indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n"
        for event_type, model in sorted(EVENT_TYPES.items())
    }


def write_schemas(directory: Path) -> list[Path]:
    """Write every event schema into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_schemas(directory: Path) -> list[str]:
    """Return how the ``.avsc`` files in ``directory`` differ from generation (empty: equal)."""
    expected = render_schemas()
    present = {path.name for path in directory.glob("*.avsc")}
    problems = [
        f"{name}: not generated from any event type" for name in sorted(present - set(expected))
    ]
    for name, text in expected.items():
        path = directory / name
        if name not in present:
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name}: differs from the generated schema")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Write (``--write DIR``) or check (``--check DIR``) the generated schema files."""
    parser = argparse.ArgumentParser(
        prog="python -m hub.contracts.avro_schema", description=__doc__
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="DIR", help="write the schema files")
    action.add_argument("--check", type=Path, metavar="DIR", help="compare with the files")
    options = parser.parse_args(argv)
    if options.write is not None:
        for path in write_schemas(options.write):
            print(f"wrote {path}")
        return 0
    problems = check_schemas(options.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"Schemas in {options.check} are out of date. Fix: "
            f"python -m hub.contracts.avro_schema --write {options.check}",
            file=sys.stderr,
        )
        return 1
    print(f"{len(EVENT_TYPES)} schemas in {options.check} match the models")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
