"""Shared fixtures of the unit tests: hypothesis strategies for the contract models.

The strategies are derived from the models themselves (field types, constraints and the
reference-data validators), so a new event type or field is covered without new test code.
They are handed out by a session fixture, which works whatever pytest's import mode is.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from annotated_types import Ge, GroupedMetadata, Gt, Le, Lt, MaxLen, MinLen
from hypothesis import reject
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel, ValidationError

from hub.contracts import fields, geo
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import ALL_REGIONS, load_registry
from hub.contracts.reference import load_reference

REPO = Path(__file__).resolve().parents[2]

_TIMEZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]
)


@cache
def _code_strategies() -> dict[Callable[[str], str], st.SearchStrategy[str]]:
    """Return a strategy per reference-data validator: valid codes only."""
    registry, reference = load_registry(), load_reference()
    return {
        fields.check_org_id: st.sampled_from(registry.ids()),
        fields.check_region_id: st.sampled_from(registry.region_ids()),
        fields.check_addressee: st.sampled_from((ALL_REGIONS, *registry.ids())),
        fields.check_grip_level: st.sampled_from(reference.grip_codes()),
        fields.check_resource_type: st.sampled_from(reference.resource_codes()),
        fields.check_category: st.sampled_from(reference.category_codes()),
    }


def _rings() -> st.SearchStrategy[list[geo.GeoPoint]]:
    """Return polygon rings: 3 to 6 distinct points (the model closes the ring)."""
    points = st.builds(
        geo.GeoPoint,
        lat=st.floats(50.7, 53.6, allow_nan=False),
        lon=st.floats(3.3, 7.3, allow_nan=False),
    )
    return st.lists(points, min_size=3, max_size=6, unique_by=lambda p: (p.lat, p.lon))


def _flatten(metadata: Iterable[Any]) -> list[Any]:
    """Expand grouped constraints (``StringConstraints``) into single ones."""
    flat: list[Any] = []
    for item in metadata:
        flat.extend(_flatten(item) if isinstance(item, GroupedMetadata) else [item])
    return flat


def _bound(metadata: list[Any], kind: type, attribute: str) -> Any:
    """Return the value of the first constraint of ``kind`` in ``metadata``, or None."""
    return next((getattr(m, attribute) for m in metadata if isinstance(m, kind)), None)


def _text(metadata: list[Any]) -> st.SearchStrategy[str]:
    """Return strings that meet the length and pattern constraints in ``metadata``."""
    low = _bound(metadata, MinLen, "min_length") or 0
    high = _bound(metadata, MaxLen, "max_length")
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if pattern is None:
        return st.text(min_size=low, max_size=min(high or 40, 40))
    return st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= (high or 10**6))


def _number(annotation: type, metadata: list[Any]) -> st.SearchStrategy[Any]:
    """Return ints or finite floats within the bounds in ``metadata``."""
    low = _bound(metadata, Ge, "ge")
    high = _bound(metadata, Le, "le")
    if annotation is int:
        above, below = _bound(metadata, Gt, "gt"), _bound(metadata, Lt, "lt")
        low = above + 1 if above is not None else low
        high = below - 1 if below is not None else high
        return st.integers(min_value=low, max_value=high)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def strategy_for(annotation: Any, metadata: Iterable[Any] = ()) -> st.SearchStrategy[Any]:
    """Return a strategy of valid values for a (possibly annotated) field type."""
    flat = _flatten(metadata)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return strategy_for(args[0], [*flat, *annotation.__metadata__])
    codes = _code_strategies()
    for item in flat:
        if isinstance(item, AfterValidator) and item.func in codes:
            return codes[item.func]
        if isinstance(item, AfterValidator) and item.func is geo.close_ring:
            return _rings()
    if origin in (Union, types.UnionType):
        (member,) = [a for a in args if a is not type(None)]
        return st.none() | strategy_for(member, flat)
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        low = _bound(flat, MinLen, "min_length") or 0
        return st.lists(strategy_for(args[0]), min_size=low, max_size=max(low, 2))
    if origin is tuple:
        low = _bound(flat, MinLen, "min_length") or 0
        items = strategy_for(args[0])
        return st.lists(items, min_size=low, max_size=max(low, 3), unique=True).map(tuple)
    return _scalar(annotation, flat)


def _scalar(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    """Return a strategy for a non-generic type: text, number, time, enum or model."""
    if annotation is str:
        return _text(metadata)
    if annotation in (int, float):
        return _number(annotation, metadata)
    if annotation is datetime:
        low, high = datetime(2000, 1, 1), datetime(2100, 1, 1)  # hypothesis wants naive bounds
        return st.datetimes(min_value=low, max_value=high, timezones=_TIMEZONES)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_strategy(annotation)
    raise TypeError(f"no strategy for {annotation!r}")


@cache
def _field_values(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Return dicts with a valid value for every field of ``model``."""
    return st.fixed_dictionaries(
        {name: strategy_for(f.annotation, f.metadata) for name, f in model.model_fields.items()}
    )


@st.composite
def model_strategy(draw: st.DrawFn, model: type[BaseModel]) -> BaseModel:
    """Draw a valid instance of ``model``; an event's subject equals its aggregate id."""
    values = draw(_field_values(model))
    if issubclass(model, EventEnvelope) and model.aggregate_field is not None:
        values["subject"] = getattr(values["data"], model.aggregate_field)
    try:
        return model.model_validate(values)
    except ValidationError:
        reject()  # a cross-field rule (available <= total, RED needs recipients, ...) failed


@pytest.fixture(scope="session")
def model_strategies() -> Callable[[type[BaseModel]], st.SearchStrategy[BaseModel]]:
    """Give tests the function that makes a strategy of valid instances of a model."""
    return model_strategy


@pytest.fixture(scope="session")
def repo() -> Path:
    """Give tests the repository root, where schemas/ and examples/ live."""
    return REPO


def _load_example(event_type: str) -> dict[str, Any]:
    """Return a fresh copy of the example document of ``event_type``."""
    path = REPO / "examples" / "events" / f"{event_type.removeprefix('nl.kcr.')}.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="session")
def example() -> Callable[[str], dict[str, Any]]:
    """Give tests a function returning a fresh copy of the example of an event type."""
    return _load_example


def _error_at(document: Mapping[str, Any], loc: tuple[str | int, ...]) -> str:
    """Parse a bad ``document``; return the message of the error at ``loc``."""
    with pytest.raises(ValidationError) as info:
        parse_event(document)
    messages = [error["msg"] for error in info.value.errors() if error["loc"] == loc]
    assert messages, f"no error at {loc}: {info.value}"
    return messages[0]


@pytest.fixture(scope="session")
def field_error() -> Callable[[Mapping[str, Any], tuple[str | int, ...]], str]:
    """Give tests a function that expects a ValidationError at a field and returns its message."""
    return _error_at
