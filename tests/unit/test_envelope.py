"""The CloudEvents envelope: attributes, UTC time, TLP, recipients and the aggregate id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.events.incident import IncidentReported

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]
REPORTED = "nl.kcr.incident.reported"


def test_time_is_normalised_to_utc(example: Example) -> None:
    """A time given with an offset is stored as the same instant in UTC."""
    document = example(REPORTED) | {"time": "2026-11-27T04:52:00+01:00"}
    event = parse_event(document)
    assert event.time == datetime(2026, 11, 27, 3, 52, tzinfo=UTC)
    assert event.time.tzinfo is UTC


def test_naive_time_is_refused(example: Example, field_error: FieldError) -> None:
    """A time without an offset is refused at the field 'time'."""
    document = example(REPORTED) | {"time": "2026-11-27T03:52:00"}
    assert "has no timezone" in field_error(document, ("time",))


def test_unknown_source_is_refused_with_the_known_ids(
    example: Example, field_error: FieldError
) -> None:
    """A source that is not in the registry is refused; the message lists known ids."""
    message = field_error(example(REPORTED) | {"source": "vr26"}, ("source",))
    assert "Unknown organisation 'vr26'" in message
    assert "vr01" in message


def test_red_needs_named_recipients(example: Example) -> None:
    """TLP RED without recipients is refused; with recipients it is valid."""
    with pytest.raises(ValidationError, match="tlp RED needs at least one named recipient"):
        parse_event(example(REPORTED) | {"tlp": "RED"})
    event = parse_event(example(REPORTED) | {"tlp": "RED", "recipients": ["ncc"]})
    assert event.recipients == ("ncc",)


def test_tlp_values_are_the_tlp_2_labels(example: Example, field_error: FieldError) -> None:
    """Only the five TLP 2.0 labels are accepted, and the error lists them."""
    assert [tlp.value for tlp in Tlp] == ["CLEAR", "GREEN", "AMBER", "AMBER_STRICT", "RED"]
    message = field_error(example(REPORTED) | {"tlp": "WHITE"}, ("tlp",))
    assert "'AMBER_STRICT'" in message


def test_recipients_accept_the_cloudevents_string_form(example: Example) -> None:
    """'vr19, locc' is read as two recipients, as written in a ce_recipients header."""
    event = parse_event(example(REPORTED) | {"recipients": "vr19, locc"})
    assert event.recipients == ("vr19", "locc")


def test_recipients_must_be_known_and_unique(example: Example, field_error: FieldError) -> None:
    """An unknown recipient is refused at its position; a repeated one is refused too."""
    message = field_error(example(REPORTED) | {"recipients": ["vr19", "mayor"]}, ("recipients", 1))
    assert "'mayor'" in message
    with pytest.raises(ValidationError, match="recipients must be unique"):
        parse_event(example(REPORTED) | {"recipients": ["vr19", "vr19"]})


def test_subject_must_equal_the_aggregate_id(example: Example) -> None:
    """The subject of an incident event is its incident_id."""
    with pytest.raises(ValidationError, match=r"subject 'inc-other' must equal data\.incident_id"):
        parse_event(example(REPORTED) | {"subject": "inc-other"})


def test_unknown_attributes_are_refused(example: Example, field_error: FieldError) -> None:
    """An attribute the envelope does not define is an error, not silently dropped."""
    assert "Extra inputs" in field_error(example(REPORTED) | {"priority": "high"}, ("priority",))


def test_a_class_accepts_only_its_own_type(example: Example) -> None:
    """An IncidentReported cannot carry another event type."""
    document = example(REPORTED) | {"type": "nl.kcr.incident.closed"}
    with pytest.raises(ValidationError) as info:
        IncidentReported.model_validate(document)
    assert ("type",) in [error["loc"] for error in info.value.errors()]


def test_events_are_frozen(example: Example) -> None:
    """Events cannot be changed after validation."""
    event = parse_event(example(REPORTED))
    with pytest.raises(ValidationError, match="frozen"):
        event.subject = "other"  # type: ignore[misc]


def test_with_ingested_at_stamps_a_utc_copy(example: Example) -> None:
    """The gateway's stamp is stored in UTC on a copy; the original is untouched."""
    event = parse_event(example(REPORTED))
    stamp = datetime(2026, 11, 27, 5, 0, tzinfo=timezone(timedelta(hours=1)))
    stamped = event.with_ingested_at(stamp)
    assert stamped.ingested_at == stamp
    assert stamped.ingested_at is not None
    assert stamped.ingested_at.tzinfo is UTC
    assert event.ingested_at is None
    with pytest.raises(ValueError, match="no timezone"):
        event.with_ingested_at(datetime(2026, 11, 27))


def test_family_verb_and_declared_type(example: Example) -> None:
    """An event knows its family and verb; its class knows its type."""
    event = parse_event(example(REPORTED))
    assert (event.family, event.verb) == ("incident", "reported")
    assert IncidentReported.declared_type() == REPORTED
    with pytest.raises(TypeError, match="does not fix its event type"):
        EventEnvelope.declared_type()
