"""Incident events: categories, GRIP levels, regions and counts are checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.incident import IncidentStatus, IncidentUpdated, Severity

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]
REPORTED = "nl.kcr.incident.reported"
UPDATED = "nl.kcr.incident.updated"


def _with_data(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return ``document`` with some of its data fields changed."""
    return document | {"data": document["data"] | changes}


def test_invalid_grip_level_lists_the_allowed_levels(
    example: Example, field_error: FieldError
) -> None:
    """GRIP 6 does not exist; the error names the field and lists 0..5 and RIJK."""
    message = field_error(_with_data(example(REPORTED), grip_level="6"), ("data", "grip_level"))
    assert "Unknown GRIP level '6'; allowed: 0, 1, 2, 3, 4, 5, RIJK" in message


def test_invalid_category_lists_the_allowed_categories(
    example: Example, field_error: FieldError
) -> None:
    """An unknown category is refused and the allowed ones are listed."""
    message = field_error(_with_data(example(REPORTED), category="tsunami"), ("data", "category"))
    assert "'tsunami'" in message
    assert "flood, storm" in message


def test_regions_must_be_safety_regions(example: Example, field_error: FieldError) -> None:
    """A national partner is not a region; the error lists vr01..vr25."""
    document = _with_data(example(REPORTED), regions=["vr19", "ncc"])
    message = field_error(document, ("data", "regions", 1))
    assert "'ncc' is not a safety region" in message
    assert "vr25" in message


@pytest.mark.parametrize(("regions", "needle"), [([], "at least 1"), (["vr19", "vr19"], "unique")])
def test_regions_are_a_non_empty_set(
    regions: list[str], needle: str, example: Example, field_error: FieldError
) -> None:
    """An incident affects at least one region, each named once."""
    document = _with_data(example(REPORTED), regions=regions)
    assert needle in field_error(document, ("data", "regions"))


def test_affected_people_cannot_be_negative(example: Example, field_error: FieldError) -> None:
    """A negative count is refused at its field."""
    document = _with_data(example(REPORTED), affected_people=-1)
    assert "greater than or equal to 0" in field_error(document, ("data", "affected_people"))


def test_severity_lists_the_cap_values(example: Example, field_error: FieldError) -> None:
    """Severity takes the CAP values only."""
    assert [s.value for s in Severity] == ["minor", "moderate", "severe", "extreme"]
    message = field_error(_with_data(example(REPORTED), severity="huge"), ("data", "severity"))
    assert "'minor', 'moderate', 'severe' or 'extreme'" in message


def test_update_leaves_unchanged_fields_null(example: Example) -> None:
    """An update with only a status is valid; the other fields stay null."""
    document = example(UPDATED)
    document["data"] = {"incident_id": document["subject"], "status": "contained"}
    event = parse_event(document)
    assert isinstance(event, IncidentUpdated)
    assert event.data.status is IncidentStatus.CONTAINED
    assert event.data.grip_level is None
    assert event.data.regions is None
