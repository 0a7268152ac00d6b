"""Assistance events: quantities are positive, times aware, requests and offers withdrawable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from hub.contracts.events.assistance import AssistanceWithdrawn
from hub.contracts.events.catalogue import parse_event

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]


def _with_data(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return ``document`` with some of its data fields changed."""
    return document | {"data": document["data"] | changes}


@pytest.mark.parametrize(
    "event_type",
    ["nl.kcr.assistance.requested", "nl.kcr.assistance.offered", "nl.kcr.assistance.accepted"],
)
@pytest.mark.parametrize("quantity", [0, -3])
def test_quantity_must_be_positive(
    event_type: str, quantity: int, example: Example, field_error: FieldError
) -> None:
    """Requesting, offering or accepting zero or fewer units is refused at 'quantity'."""
    document = _with_data(example(event_type), quantity=quantity)
    assert "greater than 0" in field_error(document, ("data", "quantity"))


def test_invalid_resource_type_lists_the_allowed_types(
    example: Example, field_error: FieldError
) -> None:
    """A request for an unknown resource type lists the known ones."""
    document = _with_data(example("nl.kcr.assistance.requested"), resource_type="submarine")
    message = field_error(document, ("data", "resource_type"))
    assert "'submarine'" in message
    assert "icu_bed" in message


def test_needed_by_must_carry_a_timezone(example: Example, field_error: FieldError) -> None:
    """A naive deadline is refused at 'needed_by'."""
    document = _with_data(example("nl.kcr.assistance.requested"), needed_by="2026-11-27T10:00")
    assert "has no timezone" in field_error(document, ("data", "needed_by"))


def test_request_region_must_be_a_region(example: Example, field_error: FieldError) -> None:
    """Assistance is needed in a safety region, not at a ministry."""
    document = _with_data(example("nl.kcr.assistance.requested"), region="min-bzk")
    assert "not a safety region" in field_error(document, ("data", "region"))


def test_withdrawal_without_offer_withdraws_the_request(example: Example) -> None:
    """A withdrawal names an offer, or, without one, withdraws the whole request."""
    document = example("nl.kcr.assistance.withdrawn")
    request = parse_event(document)
    offer = parse_event(_with_data(document, offer_id="off-vr20-2026-0107"))
    assert isinstance(request, AssistanceWithdrawn)
    assert isinstance(offer, AssistanceWithdrawn)
    assert request.data.offer_id is None
    assert offer.data.offer_id == "off-vr20-2026-0107"
