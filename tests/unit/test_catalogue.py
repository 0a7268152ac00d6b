"""The event catalogue: types, families, examples and the CloudEvents JSON form."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.formats.json import JSONFormat
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from hub.contracts.errors import InvalidEvent, UnknownEventType
from hub.contracts.events.catalogue import (
    EVENT_TYPES,
    FAMILIES,
    family_of,
    model_for,
    parse_event,
    to_cloudevent_json,
    types_of_family,
)
from hub.contracts.events.envelope import EVENT_TYPE_PATTERN, EventEnvelope
from hub.contracts.organisations import load_registry

Example = Callable[[str], dict[str, Any]]
Strategies = Callable[[type[BaseModel]], st.SearchStrategy[BaseModel]]
EVENT_TYPE_NAMES = sorted(EVENT_TYPES)


def _hub_only(event_type: str) -> bool:
    """Whether only the hub itself may publish ``event_type`` (it then needs no example)."""
    registry = load_registry()
    return not any(
        registry.may_publish(org.id, event_type)
        for org in registry.organisations()
        if org.id != "hub"
    )


EXAMPLE_TYPE_NAMES = [t for t in EVENT_TYPE_NAMES if not _hub_only(t)]
"""Types partners publish: each has an example file."""


def test_families_are_those_of_the_design() -> None:
    """The log families are exactly the eleven of the design, in its order."""
    assert FAMILIES == (
        "incident", "capacity", "assistance", "sitrep", "heartbeat", "coordination",
        "information", "advice", "scenario", "subscription", "clock",
    )  # fmt: skip


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
def test_every_type_is_well_formed_and_defined_once(event_type: str) -> None:
    """Each type is nl.kcr.<family>.<verb> with a known family, and its class declares it."""
    assert re.fullmatch(EVENT_TYPE_PATTERN, event_type)
    assert family_of(event_type) in FAMILIES
    model = EVENT_TYPES[event_type]
    assert model.declared_type() == event_type
    assert model_for(event_type) is model


def test_event_class_names_are_unique() -> None:
    """No two event types share a class name (they name the Avro records)."""
    names = [model.__name__ for model in EVENT_TYPES.values()]
    assert len(set(names)) == len(names)


def test_every_partner_type_has_an_example(repo: Path) -> None:
    """examples/events holds one file per event type that partners publish, and no others."""
    files = {path.name for path in (repo / "examples" / "events").glob("*.json")}
    expected = {
        f"{event_type.removeprefix('nl.kcr.')}.json"
        for event_type in EVENT_TYPES
        if not _hub_only(event_type)
    }
    assert files == expected


@pytest.mark.parametrize("event_type", EXAMPLE_TYPE_NAMES)
def test_example_parses_and_its_source_may_publish_it(event_type: str, example: Example) -> None:
    """Each example is valid as is, typed right, and allowed for its source's role."""
    document = example(event_type)
    event = parse_event(document)
    assert isinstance(event, EVENT_TYPES[event_type])
    assert load_registry().may_publish(event.source, event.type)
    assert document["id"]
    assert document["time"]


@pytest.mark.parametrize("event_type", EXAMPLE_TYPE_NAMES)
def test_examples_are_in_canonical_json_form(event_type: str, example: Example) -> None:
    """Writing a parsed example back gives the file's content exactly."""
    document = example(event_type)
    assert to_cloudevent_json(parse_event(document)) == document


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_generated_events_survive_the_json_form(
    event_type: str, data: st.DataObject, model_strategies: Strategies
) -> None:
    """Any valid event written as CloudEvents JSON text parses back equal to itself."""
    event = data.draw(model_strategies(EVENT_TYPES[event_type]))
    assert isinstance(event, EventEnvelope)
    text = json.dumps(to_cloudevent_json(event))
    assert parse_event(json.loads(text)) == event


def test_json_form_leaves_out_absent_attributes(example: Example) -> None:
    """Unset optional attributes are absent; times are RFC 3339 with Z; data is an object."""
    document = to_cloudevent_json(parse_event(example("nl.kcr.heartbeat.sent")))
    assert "correlationid" not in document
    assert "recipients" not in document
    assert "ingested_at" not in document
    assert document["time"].endswith("Z")
    assert document["datacontenttype"] == "application/json"
    assert isinstance(document["data"], dict)


def test_json_form_writes_recipients_as_a_cloudevents_string(example: Example) -> None:
    """Recipients become one comma-separated string, a valid CloudEvents attribute value."""
    document = to_cloudevent_json(parse_event(example("nl.kcr.advice.rejected")))
    assert document["recipients"] == "vr19,locc"


def test_json_form_writes_the_gateway_stamp_as_ingestedat(example: Example) -> None:
    """The stamp uses a valid CloudEvents attribute name and reads back to the same event."""
    event = parse_event(example("nl.kcr.heartbeat.sent"))
    stamped = event.with_ingested_at(datetime(2026, 11, 27, 12, 0, 1, tzinfo=UTC))
    document = to_cloudevent_json(stamped)
    assert document["ingestedat"] == "2026-11-27T12:00:01Z"
    assert "ingested_at" not in document
    assert parse_event(document) == stamped
    assert parse_event(document | {"ingested_at": document.pop("ingestedat")}) == stamped


def test_json_form_refuses_two_names_for_the_stamp(example: Example) -> None:
    """Giving the stamp under both names is ambiguous and refused."""
    document = example("nl.kcr.heartbeat.sent")
    document |= {"ingestedat": "2026-11-27T12:00:01Z", "ingested_at": "2026-11-27T12:00:02Z"}
    with pytest.raises(InvalidEvent, match="ingestedat: give either"):
        parse_event(document)


@pytest.mark.parametrize("event_type", EXAMPLE_TYPE_NAMES)
def test_the_cloudevents_sdk_reads_the_json_form(event_type: str, example: Example) -> None:
    """The official CloudEvents SDK accepts every example, stamped, without errors."""
    event = parse_event(example(event_type)).with_ingested_at(datetime(2026, 11, 28, tzinfo=UTC))
    text = json.dumps(to_cloudevent_json(event))
    read = JSONFormat().read(None, text)
    assert read.get_type() == event_type
    assert read.get_extension("tlp") == event.tlp.value
    assert read.get_extension("ingestedat") == "2026-11-28T00:00:00Z"
    assert read.get_data() == event.data.model_dump(mode="json")


def test_family_of_refuses_what_is_not_a_hub_type() -> None:
    """Malformed types and unknown families raise UnknownEventType."""
    assert family_of("nl.kcr.clock.ticked") == "clock"
    for bad in ("nl.kcr.incident", "org.example.incident.reported", "nl.kcr.weather.changed"):
        with pytest.raises(UnknownEventType):
            family_of(bad)


def test_types_of_family() -> None:
    """Each family lists its types in catalogue order; the clock family has the hub's tick."""
    assert types_of_family("incident") == (
        "nl.kcr.incident.reported",
        "nl.kcr.incident.updated",
        "nl.kcr.incident.closed",
    )
    assert types_of_family("clock") == ("nl.kcr.clock.ticked",)
    assert types_of_family("subscription") == ("nl.kcr.subscription.changed",)


def test_unknown_type_names_it_and_lists_the_known_ones() -> None:
    """model_for an unknown type says which types exist; it is a LookupError and a ValueError."""
    with pytest.raises(UnknownEventType) as info:
        model_for("nl.kcr.incident.exploded")
    assert "'nl.kcr.incident.exploded'" in str(info.value)
    assert "nl.kcr.incident.reported" in str(info.value)
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, ValueError)


def test_parse_event_refuses_a_missing_type(example: Example) -> None:
    """A document without a type cannot be dispatched and says so."""
    document = example("nl.kcr.incident.reported")
    del document["type"]
    with pytest.raises(UnknownEventType, match="Unknown event type None"):
        parse_event(document)


def test_parse_event_refuses_a_document_that_is_not_an_object() -> None:
    """A JSON array or string is not a CloudEvents document."""
    with pytest.raises(InvalidEvent, match="expected a JSON object, got list"):
        parse_event([])  # type: ignore[arg-type]


def test_parse_event_refuses_non_json_data(example: Example) -> None:
    """Only application/json data is accepted, and data must be an object."""
    with pytest.raises(InvalidEvent, match="datacontenttype"):
        parse_event(example("nl.kcr.incident.reported") | {"datacontenttype": "text/xml"})
    with pytest.raises(ValidationError) as info:
        parse_event(example("nl.kcr.incident.reported") | {"data": "{}"})
    assert info.value.errors()[0]["loc"] == ("data",)


def test_parse_event_accepts_a_document_without_datacontenttype(example: Example) -> None:
    """Datacontenttype is optional in CloudEvents JSON; its absence means JSON."""
    document = example("nl.kcr.incident.reported")
    del document["datacontenttype"]
    assert parse_event(document).type == "nl.kcr.incident.reported"
