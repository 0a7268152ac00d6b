"""Information requests and answers: addressees, deadlines and attachments are checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from hub.contracts.events.catalogue import parse_event

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]
REQUESTED = "nl.kcr.information.requested"


def test_addressees_may_name_organisations_or_all_regions(example: Example) -> None:
    """Named organisations and the group 'all-regions' are both addressees."""
    document = example(REQUESTED)
    document["data"]["addressees"] = ["vr19", "rijkswaterstaat"]
    assert parse_event(document).subject == document["subject"]


def test_unknown_addressee_lists_the_allowed_ones(
    example: Example, field_error: FieldError
) -> None:
    """An unknown addressee is refused; the group and the organisations are listed."""
    document = example(REQUESTED)
    document["data"]["addressees"] = ["all-provinces"]
    message = field_error(document, ("data", "addressees", 0))
    assert "unknown addressee 'all-provinces'; allowed: all-regions, vr01" in message


@pytest.mark.parametrize(
    ("addressees", "needle"), [([], "at least 1"), (["vr01", "vr01"], "unique")]
)
def test_addressees_are_a_non_empty_set(
    addressees: list[str], needle: str, example: Example, field_error: FieldError
) -> None:
    """A question goes to at least one addressee, each named once."""
    document = example(REQUESTED)
    document["data"]["addressees"] = addressees
    assert needle in field_error(document, ("data", "addressees"))


def test_attachments_are_web_links(example: Example, field_error: FieldError) -> None:
    """Attachments are http(s) links, not file paths."""
    document = example("nl.kcr.information.provided")
    document["data"]["attachments"] = ["C:\\opvang.xlsx"]
    assert "should match pattern" in field_error(document, ("data", "attachments", 0))
