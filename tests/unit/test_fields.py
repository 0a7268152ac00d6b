"""Shared field types: UTC times, organisation and reference codes, places, uniqueness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from hub.contracts import fields
from hub.contracts.fields import GripCode, Location, UtcDatetime


class _Holder(BaseModel):
    """A model holding the annotated types under test."""

    at: UtcDatetime | None = None
    grip: GripCode | None = None


def test_to_utc_converts_an_offset_time() -> None:
    """A time with an offset becomes the same instant in UTC."""
    local = datetime(2026, 11, 27, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    converted = fields.to_utc(local)
    assert converted == local
    assert converted.tzinfo is UTC
    assert converted.hour == 10


def test_naive_times_are_refused_with_an_example_of_a_good_one() -> None:
    """A time without an offset has no known instant; the message shows the right form."""
    with pytest.raises(ValidationError, match=r"has no timezone.*2026-11-27T10:00:00Z"):
        _Holder(at="2026-11-27T10:00:00")


def test_grip_levels_may_be_written_as_numbers() -> None:
    """GRIP 2 written as the number 2 is read as the code '2'; bools are not numbers here."""
    assert _Holder(grip=2).grip == "2"
    with pytest.raises(ValidationError):
        _Holder(grip=True)


@pytest.mark.parametrize(
    ("check", "bad", "allowed"),
    [
        (fields.check_org_id, "vr99", "vr01, vr02"),
        (fields.check_region_id, "ncc", "vr01, vr02"),
        (fields.check_addressee, "everyone", "all-regions, vr01"),
        (fields.check_grip_level, "VI", "0, 1, 2, 3, 4, 5, RIJK"),
        (fields.check_resource_type, "tank", "pump, sandbag"),
        (fields.check_category, "meteor", "flood, storm"),
    ],
)
def test_code_checks_name_the_bad_value_and_the_allowed_ones(
    check: object, bad: str, allowed: str
) -> None:
    """Each reference check refuses an unknown value and lists what is allowed."""
    assert callable(check)
    with pytest.raises(ValueError, match=repr(bad)) as info:
        check(bad)
    assert allowed in str(info.value)


def test_code_checks_accept_known_values() -> None:
    """Known organisations, regions, addressees and codes pass unchanged."""
    assert fields.check_org_id("ncc") == "ncc"
    assert fields.check_region_id("vr25") == "vr25"
    assert fields.check_addressee("all-regions") == "all-regions"
    assert fields.check_grip_level("RIJK") == "RIJK"
    assert fields.check_resource_type("icu_bed") == "icu_bed"
    assert fields.check_category("power_outage") == "power_outage"


def test_location_needs_a_place_or_a_point() -> None:
    """An empty location says nothing and is refused; a name or a point suffices."""
    with pytest.raises(ValidationError, match="a place name, a point, an area, or several"):
        Location()
    assert Location(place="Middelburg").point is None
    assert Location(point={"lat": 51.5, "lon": 3.61}).place is None


def test_check_unique_names_the_repeats() -> None:
    """Duplicates are reported by value; unique values pass."""
    fields.check_unique(["vr01", "vr02"], "regions")
    with pytest.raises(ValueError, match="regions must be unique; repeated: vr01"):
        fields.check_unique(["vr01", "vr02", "vr01"], "regions")
