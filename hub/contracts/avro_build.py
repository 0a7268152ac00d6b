"""Build models from Avro records the hub already validated, without validating them again.

:func:`hub.contracts.avro_schema.from_avro_record` validates: pydantic checks every field,
constraint and cross-field rule. A record of the hub's own log was validated by the gateway
before it was written, with the schema the hub generates today; reading it back only has to
rebuild the same model. :func:`trusted_builder` returns, per model, a function that does that
directly: nested models built the same way, arrays of tuple fields as tuples, enum symbols as
their ``StrEnum`` members, datetimes as the Avro reader returns them (aware, UTC), everything
else as it is. The result equals what ``model_validate`` returns (``==``, ``model_dump()``,
field types and ``model_fields_set``; ``tests/unit/test_avro_build.py`` checks every type).

Use it only for a record read with the model's current generated schema as the writer's schema,
from a source only the hub writes. Anything else (another schema version, partners' ingress)
goes through :func:`~hub.contracts.avro_schema.from_avro_record`.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, Union, cast, get_args, get_origin

from pydantic import BaseModel

__all__ = ["Builder", "trusted_builder"]

_M = TypeVar("_M", bound=BaseModel)
Builder = Callable[[dict[str, Any]], _M]
"""Turns one Avro record (a dict it takes over and may change) into a model instance."""
_Convert = Callable[[Any], Any]
_AS_READ = (str, int, float, bool, datetime)  # what the Avro reader returns is the field value
_new = object.__new__
_set = object.__setattr__


def trusted_builder(model: type[_M]) -> Builder[_M]:
    """Return the function that builds a ``model`` from a trusted Avro record (cached).

    The record is the dict an Avro reader returns for ``model``'s generated schema; the builder
    takes it over (it becomes the instance's field dict). Raises ``TypeError`` for a model the
    generated schemas cannot describe (see :mod:`hub.contracts.avro_schema`) or that needs more
    than its fields (aliases, private attributes, ``model_post_init``, extra fields).
    """
    return cast("Builder[_M]", _builder(model))


@cache
def _builder(model: type[BaseModel]) -> Builder[BaseModel]:
    _check_plain(model)
    fields = model.model_fields
    converts = tuple(
        (name, convert)
        for name, info in fields.items()
        if (convert := _converter(info.annotation)) is not None
    )
    names = frozenset(fields)
    count = len(names)
    defaults = {
        name: info.get_default(call_default_factory=True)
        for name, info in fields.items()
        if not info.is_required()
    }

    def build(record: dict[str, Any]) -> BaseModel:
        if len(record) != count:
            record = _completed(model, record, defaults)
        for name, convert in converts:
            record[name] = convert(record[name])
        instance = _new(model)
        _set(instance, "__dict__", record)
        _set(instance, "__pydantic_fields_set__", set(names))
        _set(instance, "__pydantic_extra__", None)
        _set(instance, "__pydantic_private__", None)
        return instance

    return build


def _check_plain(model: type[BaseModel]) -> None:
    """Refuse a model whose instances hold more than their field dict."""
    config = model.model_config
    aliased = any(info.alias or info.validation_alias for info in model.model_fields.values())
    if (
        aliased
        or model.__private_attributes__
        or model.__pydantic_post_init__
        or model.__pydantic_root_model__
        or config.get("extra") == "allow"
    ):
        raise TypeError(f"{model.__name__} needs pydantic's own construction, not a builder")


def _completed(
    model: type[BaseModel], record: dict[str, Any], defaults: dict[str, Any]
) -> dict[str, Any]:
    """Return ``record`` with every field, in field order: absent optional ones get defaults."""
    required = [name for name in model.model_fields if name not in record and name not in defaults]
    unknown = set(record) - set(model.model_fields)
    if required or unknown:
        raise ValueError(
            f"not a {model.__name__} record: missing {required}, unknown {sorted(unknown)}"
        )
    return {name: record[name] if name in record else defaults[name] for name in model.model_fields}


def _converter(annotation: Any) -> _Convert | None:
    """Return what turns an Avro value into the field's value, or None when it already is."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _converter(args[0])
    if origin in (Union, types.UnionType):
        return _optional(args)
    if origin is Literal or annotation in _AS_READ:
        return None
    if origin is tuple and len(args) == 2 and args[1] is ...:
        return _sequence(tuple, args[0])
    if origin is list:
        return _sequence(list, args[0]) if _converter(args[0]) is not None else None
    if inspect.isclass(annotation) and issubclass(annotation, Enum):
        return {member.value: member for member in annotation}.__getitem__
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return _builder(annotation)
    raise TypeError(f"no trusted Avro conversion for {annotation!r}")


def _optional(args: tuple[Any, ...]) -> _Convert | None:
    members = [arg for arg in args if arg is not type(None)]
    if len(members) != 1:
        raise TypeError(f"only 'X | None' unions map to Avro, not {args!r}")
    inner = _converter(members[0])
    if inner is None:
        return None
    present = inner

    def optional(value: Any) -> Any:
        return None if value is None else present(value)

    return optional


def _sequence(kind: type[tuple[Any, ...]] | type[list[Any]], item: Any) -> _Convert:
    inner = _converter(item)
    if inner is None:
        return kind
    convert = inner

    def sequence(values: Any) -> Any:
        return kind(map(convert, values))

    return sequence
