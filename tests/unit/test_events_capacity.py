"""Capacity events: counts are non-negative, and available and committed fit in total."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from hub.contracts.events.capacity import CapacityReported
from hub.contracts.events.catalogue import parse_event

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]
REPORTED = "nl.kcr.capacity.reported"


def _with_data(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return ``document`` with some of its data fields changed."""
    return document | {"data": document["data"] | changes}


def test_available_cannot_exceed_total(example: Example, field_error: FieldError) -> None:
    """More available than in total is refused at 'available'."""
    document = _with_data(example(REPORTED), total=10, available=11, committed=0)
    message = field_error(document, ("data", "available"))
    assert "available (11) must not exceed total (10)" in message


def test_available_and_committed_fit_in_total(example: Example, field_error: FieldError) -> None:
    """Available and committed are disjoint parts of the total."""
    document = _with_data(example(REPORTED), total=10, available=6, committed=5)
    message = field_error(document, ("data", "committed"))
    assert "available (6) + committed (5) must not exceed total (10)" in message


@pytest.mark.parametrize("field", ["total", "available", "committed"])
def test_counts_cannot_be_negative(field: str, example: Example, field_error: FieldError) -> None:
    """Every count is zero or more."""
    document = _with_data(example(REPORTED), **{field: -1})
    assert "greater than or equal to 0" in field_error(document, ("data", field))


def test_invalid_resource_type_lists_the_allowed_types(
    example: Example, field_error: FieldError
) -> None:
    """An unknown resource type is refused with the allowed codes listed."""
    document = _with_data(example(REPORTED), resource_type="tank")
    message = field_error(document, ("data", "resource_type"))
    assert "Unknown resource type 'tank'; allowed: pump, sandbag" in message


def test_committed_defaults_to_zero(example: Example) -> None:
    """A report without 'committed' commits nothing."""
    document = example(REPORTED)
    del document["data"]["committed"]
    event = parse_event(document)
    assert isinstance(event, CapacityReported)
    assert event.data.committed == 0
