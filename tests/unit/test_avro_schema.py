"""The generated Avro schemas agree with the models, with fastavro, and with schemas/."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hub.contracts.avro_schema import (
    avro_schema_for,
    check_schemas,
    from_avro_record,
    main,
    render_schemas,
    schema_file_name,
    to_avro_record,
    write_schemas,
)
from hub.contracts.events.catalogue import EVENT_TYPES, parse_event
from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.fields import Location

EVENT_TYPE_NAMES = sorted(EVENT_TYPES)
Strategies = Callable[[type[BaseModel]], st.SearchStrategy[BaseModel]]


@cache
def _parsed_schema(model: type[EventEnvelope]) -> Any:
    """Return the generated schema of ``model`` parsed by fastavro (once per model)."""
    return fastavro.parse_schema(avro_schema_for(model))


def _round_trip(model: type[EventEnvelope], event: EventEnvelope) -> EventEnvelope:
    """Write ``event`` with fastavro using its generated schema, read it back, validate it."""
    schema = _parsed_schema(model)
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, to_avro_record(event))
    buffer.seek(0)
    record = fastavro.schemaless_reader(buffer, schema, None)
    assert isinstance(record, dict)
    return from_avro_record(model, record)


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
def test_fastavro_accepts_every_generated_schema(event_type: str) -> None:
    """Fastavro parses the generated schema of every event type."""
    fastavro.parse_schema(avro_schema_for(EVENT_TYPES[event_type]))


def test_checked_in_schemas_equal_the_generated_ones(repo: Path) -> None:
    """schemas/*.avsc are exactly what the generator writes (run --write after a change)."""
    assert check_schemas(repo / "schemas") == []


def test_schema_names_follow_the_conventions() -> None:
    """A schema is named after its class, in namespace nl.kcr.<family>, with field docs."""
    schema = avro_schema_for(EVENT_TYPES["nl.kcr.incident.reported"])
    assert (schema["name"], schema["namespace"]) == ("IncidentReported", "nl.kcr.incident")
    assert all(field.get("doc") for field in schema["fields"])
    data = next(field for field in schema["fields"] if field["name"] == "data")
    assert data["type"]["name"] == "IncidentReportedData"


def test_schema_maps_types_as_documented() -> None:
    """Times are timestamp-micros, enums Avro enums, codes strings, optionals null unions."""
    fields = {
        f["name"]: f for f in avro_schema_for(EVENT_TYPES["nl.kcr.incident.updated"])["fields"]
    }
    data = {f["name"]: f for f in fields["data"]["type"]["fields"]}
    assert fields["time"]["type"] == {"type": "long", "logicalType": "timestamp-micros"}
    assert fields["tlp"]["type"]["type"] == "enum"
    assert data["grip_level"] == {**data["grip_level"], "type": ["null", "string"], "default": None}
    assert data["severity"]["type"][1]["symbols"] == ["minor", "moderate", "severe", "extreme"]
    assert data["regions"]["type"] == ["null", {"type": "array", "items": "string"}]
    assert data["affected_people"]["type"] == ["null", "long"]


def test_a_named_type_used_twice_is_defined_once() -> None:
    """A nested record that occurs twice is defined at first use and then named."""

    class Route(BaseModel):
        """From one place to another, at one TLP level."""

        start: Location
        end: Location
        tlp: tuple[Tlp, ...]
        fallback: Tlp | None = None

    fields = avro_schema_for(Route)["fields"]
    assert fields[0]["type"]["type"] == "record"
    assert fields[1]["type"] == "Location"
    assert fields[2]["type"]["items"]["type"] == "enum"
    assert fields[3] == {"name": "fallback", "type": ["null", "Tlp"], "default": None}
    fastavro.parse_schema(avro_schema_for(Route))


def test_two_types_with_one_name_are_refused() -> None:
    """Two different classes with the same name cannot share one schema."""
    first = type("Clash", (BaseModel,), {"__annotations__": {"a": int}})
    second = type("Clash", (BaseModel,), {"__annotations__": {"b": int}})
    holder = type("Holder", (BaseModel,), {"__annotations__": {"x": first, "y": second}})
    with pytest.raises(TypeError, match="two different types are named Clash"):
        avro_schema_for(holder)


def test_unsupported_annotations_are_refused() -> None:
    """A union of two real types has no Avro mapping here and is refused clearly."""
    holder = type("Holder", (BaseModel,), {"__annotations__": {"x": int | str}})
    with pytest.raises(TypeError, match=re.escape("only 'X | None' unions")):
        avro_schema_for(holder)


def test_write_then_check_agrees(tmp_path: Path) -> None:
    """Writing the schemas into a directory makes --check pass there, and a change fails it."""
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(render_schemas())
    assert main(["--check", str(tmp_path)]) == 0
    (tmp_path / schema_file_name("nl.kcr.heartbeat.sent")).write_text("{}", encoding="utf-8")
    (tmp_path / "stale.avsc").write_text("{}", encoding="utf-8")
    problems = check_schemas(tmp_path)
    assert problems == [
        "stale.avsc: not generated from any event type",
        "heartbeat.sent.avsc: differs from the generated schema",
    ]
    assert main(["--check", str(tmp_path)]) == 1


def test_rendered_schemas_are_stable_sorted_json() -> None:
    """Every rendered schema is pretty JSON with sorted keys, so diffs stay small."""
    for text in render_schemas().values():
        assert (
            text
            == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


@pytest.mark.parametrize("event_type", [t for t in EVENT_TYPE_NAMES if t != "nl.kcr.clock.ticked"])
def test_example_survives_avro_round_trip(event_type: str, repo: Path) -> None:
    """The example event of every type reads back from Avro equal to itself."""
    path = repo / "examples" / "events" / f"{event_type.removeprefix('nl.kcr.')}.json"
    event = parse_event(json.loads(path.read_text(encoding="utf-8")))
    assert _round_trip(EVENT_TYPES[event_type], event) == event


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_generated_events_survive_avro_round_trip(
    event_type: str, data: st.DataObject, model_strategies: Strategies
) -> None:
    """Any valid event written with its schema by fastavro reads back equal to itself."""
    model = EVENT_TYPES[event_type]
    event = data.draw(model_strategies(model))
    assert isinstance(event, EventEnvelope)
    assert _round_trip(model, event) == event
