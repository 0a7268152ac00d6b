"""Situation reports: the period covered runs forward."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.contracts.events.catalogue import parse_event

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]
PUBLISHED = "nl.kcr.sitrep.published"


def test_period_end_cannot_precede_its_start(example: Example, field_error: FieldError) -> None:
    """A period that ends before it starts is refused at 'period_end'."""
    document = example(PUBLISHED)
    document["data"] |= {"period_start": "2026-11-27T12:00:00Z", "period_end": "2026-11-27T06:00Z"}
    assert "is before period_start" in field_error(document, ("data", "period_end"))


def test_a_sitrep_needs_only_an_id_and_a_summary(example: Example) -> None:
    """Incident, period, GRIP level and details are optional."""
    document = example(PUBLISHED)
    document["data"] = {"sitrep_id": document["subject"], "summary": "Rustig."}
    assert parse_event(document).subject == document["subject"]
