"""Trusted building gives exactly what validation gives, for every event type and output.

The oracle is pydantic itself: an instance written with its generated schema and read back by
fastavro is built by :func:`hub.contracts.avro_build.trusted_builder` and validated by
``model_validate``; the two must be equal (``==``), dump equal, hold values of the same types
everywhere (tuples, ``StrEnum`` members, UTC datetimes, nested models) and name the same set
fields. Inputs: hypothesis draws of every event type of the catalogue, the example of every
event type, and every event and output of the demo's storyline.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from hub.contracts.avro_build import trusted_builder
from hub.contracts.avro_schema import avro_datum, to_avro_record
from hub.contracts.events.catalogue import EVENT_TYPES, parse_event
from hub.contracts.models import schema_for
from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.output_kinds import output_kinds
from hub.simulator.storyline import STORYLINE

EVENT_TYPE_NAMES = sorted(EVENT_TYPES)
Strategies = Callable[[type[BaseModel]], st.SearchStrategy[BaseModel]]


@cache
def _parsed(model: type[BaseModel]) -> Any:
    return fastavro.parse_schema(schema_for(model))


def _record(item: BaseModel) -> dict[str, Any]:
    """``item`` written with its current schema as the codec writes it, read back by fastavro."""
    schema = _parsed(type(item))
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, avro_datum(item), disable_tuple_notation=True)
    buffer.seek(0)
    record = fastavro.schemaless_reader(buffer, schema, None)
    assert isinstance(record, dict)
    return record


def _shape(value: object) -> object:
    """The value with the type of every part beside it, all the way down."""
    if isinstance(value, BaseModel):
        fields = {name: _shape(getattr(value, name)) for name in type(value).model_fields}
        return (type(value), sorted(value.model_fields_set), fields)
    if isinstance(value, tuple | list):
        return (type(value), [_shape(item) for item in value])
    if isinstance(value, datetime):
        return (datetime, value, value.tzinfo)
    return (type(value), value)


def _check(item: BaseModel) -> None:
    """The trusted build of ``item``'s record equals its validation in every respect."""
    model = type(item)
    record = _record(item)
    validated = model.model_validate(copy.deepcopy(record))
    trusted = trusted_builder(model)(copy.deepcopy(record))
    assert type(trusted) is model
    assert trusted == validated
    assert trusted.model_dump() == validated.model_dump()
    assert trusted.model_dump(mode="json") == validated.model_dump(mode="json")
    assert _shape(trusted) == _shape(validated)
    assert to_avro_record(trusted) == record  # the export writes the record as read
    assert trusted.model_dump_json() == validated.model_dump_json()
    assert repr(trusted) == repr(validated)


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_event_type_builds_as_it_validates(
    event_type: str, data: st.DataObject, model_strategies: Strategies
) -> None:
    """Any valid event of any type: trusted build == model_validate, types and all."""
    _check(data.draw(model_strategies(EVENT_TYPES[event_type])))


@pytest.mark.parametrize("event_type", [t for t in EVENT_TYPE_NAMES if t != "nl.kcr.clock.ticked"])
def test_every_example_builds_as_it_validates(event_type: str, repo: Path) -> None:
    """The example of every event type partners publish, stamped as the gateway stamps it."""
    path = repo / "examples" / "events" / f"{event_type.removeprefix('nl.kcr.')}.json"
    event = parse_event(json.loads(path.read_text(encoding="utf-8")))
    _check(event.with_ingested_at(datetime(2026, 11, 27, 9, tzinfo=UTC)))


def _story_items() -> list[BaseModel]:
    """Every event of the storyline and every view, signal and workflow output from it."""
    hub, items, tick = HubProjection(), list[BaseModel](), 0
    start = datetime(2026, 2, 1, 6, tzinfo=UTC)

    def outputs(result: TickOutputs) -> list[BaseModel]:
        found: list[BaseModel] = [record.view for record in result.views]
        return found + [
            item for kind in output_kinds(result) for item in getattr(result, kind.name)
        ]

    for beat in STORYLINE:
        at = start + timedelta(seconds=beat.at)
        events = beat.events(at)
        items.extend(events)
        hub.apply_all(events)
        tick += 1
        items.extend(outputs(hub.tick(at + timedelta(seconds=1), tick)))
    for hours in (1, 6, 30):
        tick += 1
        items.extend(outputs(hub.tick(start + timedelta(hours=hours), tick)))
    return items


def test_storyline_events_and_outputs_build_as_they_validate() -> None:
    """Events, views (with many incident ids), signals and workflow outputs of the demo."""
    items = _story_items()
    assert len({type(item) for item in items}) > 15
    for item in items:
        _check(item)


class _Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class _Inner(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    colour: _Colour
    tags: tuple[str, ...] = ()


class _Outer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    inner: _Inner | None = None
    inners: list[_Inner] = Field(default_factory=list)
    colours: tuple[_Colour, ...] = (_Colour.RED,)


def test_absent_optional_fields_get_their_defaults() -> None:
    """A record without an optional field builds with its default, as validation gives it."""
    record = {"name": "x", "inners": [{"colour": "blue", "tags": ["a", "b"]}]}
    trusted = trusted_builder(_Outer)(copy.deepcopy(record))
    assert trusted == _Outer.model_validate(record)
    assert trusted.colours == (_Colour.RED,)
    assert type(trusted.inners[0].colour) is _Colour
    assert trusted.inners[0].tags == ("a", "b")


def test_a_record_missing_a_required_field_is_refused() -> None:
    """Without a required field there is nothing to trust: ValueError names it."""
    with pytest.raises(ValueError, match="missing \\['name'\\]"):
        trusted_builder(_Outer)({"inner": None})


class _Private(BaseModel):
    name: str
    _cache: int = PrivateAttr(default=0)


class _Aliased(BaseModel):
    name: str = Field(alias="Name")


@pytest.mark.parametrize("model", [_Private, _Aliased])
def test_models_needing_pydantic_construction_are_refused(model: type[BaseModel]) -> None:
    """Private attributes and aliases need pydantic's own construction: no builder."""
    with pytest.raises(TypeError, match="pydantic's own construction"):
        trusted_builder(model)
