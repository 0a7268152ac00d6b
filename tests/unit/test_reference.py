"""Reference data: GRIP levels, resource types and incident categories, read from JSON."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.contracts.errors import UnknownReferenceCode
from hub.contracts.reference import GripLevel, ReferenceData, load_reference


def test_grip_levels_are_0_to_5_and_rijk_in_rank_order() -> None:
    """GRIP 0..5 and GRIP Rijk exist, ranked 0..6, each with a label."""
    reference = load_reference()
    assert reference.grip_codes() == ("0", "1", "2", "3", "4", "5", "RIJK")
    assert [level.rank for level in reference.grip_levels] == list(range(7))
    assert reference.grip_rank("RIJK") > reference.grip_rank("5")
    assert all(level.label for level in reference.grip_levels)


def test_resource_types_cover_the_crisis_basics() -> None:
    """The resource types named in the design exist, each with a unit and a label."""
    expected = {
        "pump", "sandbag", "shelter_place", "bus", "ambulance", "icu_bed", "hospital_bed",
        "police_unit", "mobile_police_unit", "fire_engine", "personnel", "generator", "boat",
        "helicopter",
    }  # fmt: skip
    reference = load_reference()
    assert expected <= set(reference.resource_codes())
    assert reference.resource_type("icu_bed").unit == "bed"
    assert all(r.unit and r.label for r in reference.resource_types)


def test_incident_categories_cover_the_crisis_basics() -> None:
    """The incident categories named in the design exist."""
    expected = {
        "flood", "storm", "fire", "chemical", "power_outage", "telecom_outage", "public_order",
        "infectious_disease", "traffic", "explosion", "other",
    }  # fmt: skip
    assert expected <= set(load_reference().category_codes())
    assert load_reference().incident_category("flood").label


@pytest.mark.parametrize(
    ("lookup", "code", "table"),
    [
        ("grip_level", "6", "GRIP level"),
        ("resource_type", "tank", "resource type"),
        ("incident_category", "alien", "incident category"),
    ],
)
def test_unknown_codes_name_the_allowed_ones(lookup: str, code: str, table: str) -> None:
    """Looking up an unknown code raises an error naming the table and the allowed codes."""
    with pytest.raises(UnknownReferenceCode) as info:
        getattr(load_reference(), lookup)(code)
    assert info.value.table == table
    assert info.value.code == code
    assert f"Unknown {table} {code!r}; allowed: " in str(info.value)
    assert info.value.allowed


def test_reference_data_refuses_duplicate_codes_and_unordered_ranks() -> None:
    """A table with a repeated code, or GRIP levels out of rank order, is invalid."""
    level = GripLevel(code="1", rank=1, label="one")
    with pytest.raises(ValidationError, match="grip_levels has duplicate codes"):
        ReferenceData(grip_levels=(level, level), resource_types=(), incident_categories=())
    low = GripLevel(code="0", rank=0, label="zero")
    with pytest.raises(ValidationError, match="lowest first"):
        ReferenceData(grip_levels=(level, low), resource_types=(), incident_categories=())


def test_load_reference_reads_once() -> None:
    """The packaged reference data is read once and then shared."""
    assert load_reference() is load_reference()
