"""JSON Schema of the structured CloudEvents the bridge accepts, generated from the contracts.

One schema per partner event type (``nl.kcr.clock.ticked`` is the hub's own), from the pydantic
model that validates it, written as the bridge reads it:

- the reference-data checks of :mod:`hub.contracts.fields` (organisation ids, safety regions,
  GRIP levels, resource types, incident categories, addressees) become ``enum`` lists of the
  codes they allow, so a generator from the schema makes only codes the hub knows;
- ``id``, ``time`` and ``source`` may be left out (the bridge fills a new UUID, the time now and
  the key's organisation); ``source`` must be the key's organisation (else 403);
- the aggregate id is given once, in ``data`` (``data.incident_id``): the bridge sets
  ``subject`` from it, so ``subject`` is not part of the request for those types;
- ``ingested_at`` is the attribute ``ingestedat`` and is the gateway's stamp, never sent;
- ``tlp: RED`` requires ``recipients`` (``if``/``then``).

Rules between fields of a payload that JSON Schema cannot state are listed in each schema's
``x-kcr-rules`` (the payload docstrings say the same); requests breaking one are a 422 that
names the field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from hub.contracts import fields
from hub.contracts.events.catalogue import EVENT_TYPES, JSON_CONTENT_TYPE
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import ALL_REGIONS, load_registry
from hub.contracts.reference import load_reference

__all__ = ["HUB_ONLY_TYPES", "batch_schema", "event_components", "event_schema_name"]

HUB_ONLY_TYPES = frozenset({"nl.kcr.clock.ticked"})
"""Event types only the hub writes; the bridge's schema leaves them out."""

_REF = "#/components/schemas/{model}"
_OPTIONAL_ATTRIBUTES = ("id", "time", "source")


def _codes() -> Mapping[Callable[..., Any], Callable[[], list[str]]]:
    """The check functions of :mod:`hub.contracts.fields` and the codes each allows."""
    return {
        fields.check_org_id: lambda: list(load_registry().ids()),
        fields.check_region_id: lambda: list(load_registry().region_ids()),
        fields.check_addressee: lambda: [ALL_REGIONS, *load_registry().ids()],
        fields.check_grip_level: lambda: list(load_reference().grip_codes()),
        fields.check_resource_type: lambda: list(load_reference().resource_codes()),
        fields.check_category: lambda: list(load_reference().category_codes()),
    }


class ContractJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema generator, with the reference-data checks as ``enum`` lists."""

    def function_after_schema(
        self, schema: core_schema.AfterValidatorFunctionSchema
    ) -> JsonSchemaValue:
        """The inner schema, narrowed to the codes a known check function allows."""
        inner = super().function_after_schema(schema)
        allowed = _codes().get(schema["function"]["function"])
        if allowed is None:
            return inner
        return {**inner, "enum": allowed()}


_WHITE_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
r"""Unicode White_Space, what ``\s`` means to pydantic's (Rust) regex engine, spelt out:
ECMA-262 regexes, which JSON Schema uses, give ``\s`` another set (no U+0085)."""


def _spelt_out(pattern: str) -> str:
    r"""``pattern`` with ``\S`` as ``[^<white space>]`` and ``\s`` (inside a class) as the list.

    The contracts use ``\s`` only inside a negated class (ids) and ``\S`` only outside one
    (URLs); both are checked by the document's unit test.
    """
    return pattern.replace(r"\S", f"[^{_WHITE_SPACE}]").replace(r"\s", _WHITE_SPACE)


def _explicit_patterns(node: Any) -> Any:
    r"""``node`` with ``\s`` in every ``pattern`` spelt out, so every engine reads it alike."""
    if isinstance(node, dict):
        return {
            key: _spelt_out(value)
            if key == "pattern" and isinstance(value, str)
            else _explicit_patterns(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_explicit_patterns(item) for item in node]
    return node


def event_schema_name(event_type: str) -> str:
    """The component name of ``event_type``'s schema, e.g. ``CloudEvent.incident.reported``."""
    return "CloudEvent." + event_type.removeprefix("nl.kcr.")


def _envelope(model: type[EventEnvelope], event_type: str) -> tuple[dict[str, Any], dict[str, Any]]:
    raw = model.model_json_schema(ref_template=_REF, schema_generator=ContractJsonSchema)
    defs = raw.pop("$defs", {})
    properties = raw["properties"]
    properties["type"] = {"type": "string", "enum": [event_type], "description": "The event type."}
    properties.pop("ingested_at", None)
    properties["datacontenttype"] = {
        "type": "string",
        "enum": [JSON_CONTENT_TYPE],
        "description": "Optional; `data` is always a JSON object.",
    }
    required = [name for name in raw.get("required", []) if name not in _OPTIONAL_ATTRIBUTES]
    if model.aggregate_field is not None:
        properties.pop("subject", None)
        required = [name for name in required if name != "subject"]
    recipients = properties.get("recipients")
    if recipients is not None:
        properties["recipients"] = {**recipients, "uniqueItems": True}
    schema: dict[str, Any] = {
        "type": "object",
        "title": event_type,
        "description": (model.__doc__ or "").strip(),
        "properties": properties,
        "required": ["type", *[name for name in required if name != "type"]],
        "additionalProperties": False,
        "if": {"properties": {"tlp": {"const": "RED"}}, "required": ["tlp"]},
        "then": {"required": ["recipients"], "properties": {"recipients": {"minItems": 1}}},
    }
    return schema, defs


_RULES = {
    "_available_within_total": "data.available <= data.total",
    "_committed_within_total": "data.available + data.committed <= data.total",
    "_end_after_start": "data.period_end is not before data.period_start",
    "_unique_names": "the names of data.parameters are unique",
    "_unique_ids": "the indicator_id of data.indicators are unique",
    "_red_names_its_addressees": "with tlp RED, every data.addressees entry is in recipients",
}
"""Rules between fields that JSON Schema cannot state, by the contract validator that checks
them; a new validator that is neither here nor on a list makes building the document fail."""


_UTC_RANGE = "every time, converted to UTC, falls within the years 1900 to 2999"
"""A rule of every event: its times are held in UTC within :data:`hub.contracts.fields.EARLIEST`
.. :data:`~hub.contracts.fields.LATEST` (``1899-12-31T23:59:59Z`` is refused, and so is
``2999-12-31T23:30:00-01:00``)."""


def _validators(model: type[Any]) -> dict[str, tuple[str, ...]]:
    decorators = model.__pydantic_decorators__
    found = {name: tuple(d.info.fields) for name, d in decorators.field_validators.items()}
    found.update(dict.fromkeys(decorators.model_validators, ()))
    return found


def _refine_data(model: type[EventEnvelope], defs: dict[str, Any]) -> list[str]:
    """Mark unique lists ``uniqueItems`` in the payload schema; return the other rules."""
    data_model = model.model_fields["data"].annotation
    assert isinstance(data_model, type)
    schema = defs[data_model.__name__]
    rules = [_UTC_RANGE]
    rules += [_RULES[name] for name in _validators(model) if name in _RULES]
    for name, names in _validators(data_model).items():
        if name in _RULES:
            rules.append(_RULES[name])
            continue
        for field in names:  # the check_unique validators of value lists
            prop = schema["properties"][field]
            branch = next(b for b in prop.get("anyOf", [prop]) if b.get("type") == "array")
            branch["uniqueItems"] = True
    return rules


def _place_or_point(defs: dict[str, Any]) -> None:
    """A location names a place, a point or both (not two nulls)."""
    location = defs.get("Location")
    if location is not None:
        location["anyOf"] = [
            {"required": ["place"], "properties": {"place": {"type": "string"}}},
            {"required": ["point"], "properties": {"point": {"type": "object"}}},
        ]


@cache
def _components() -> Mapping[str, dict[str, Any]]:
    components: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for event_type, model in EVENT_TYPES.items():
        if event_type in HUB_ONLY_TYPES:
            continue
        schema, defs = _envelope(model, event_type)
        rules = _refine_data(model, defs)
        _place_or_point(defs)
        if rules:
            schema["x-kcr-rules"] = rules
            schema["description"] += "\n\nAlso checked (a 422 naming the field): " + "; ".join(
                rules
            )
        components.update(defs)
        names[event_type] = event_schema_name(event_type)
        components[names[event_type]] = schema
    components["CloudEvent"] = {
        "description": "One CloudEvents 1.0 event in structured mode, of any partner event type.",
        "oneOf": [{"$ref": _REF.format(model=name)} for name in names.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {t: _REF.format(model=name) for t, name in names.items()},
        },
    }
    return _explicit_patterns(components)  # type: ignore[no-any-return]


def event_components() -> dict[str, dict[str, Any]]:
    """OpenAPI component schemas: ``CloudEvent`` (one of every partner type) and its parts."""
    return copy.deepcopy(dict(_components()))


def batch_schema() -> dict[str, Any]:
    """The JSON Schema of a CloudEvents batch: one or more events, all or nothing."""
    return {
        "type": "array",
        "minItems": 1,
        "items": {"$ref": _REF.format(model="CloudEvent")},
        "description": "A CloudEvents JSON batch; all events are published or none.",
    }
