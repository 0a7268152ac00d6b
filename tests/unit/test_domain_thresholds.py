"""The escalation thresholds: one TOML file, validated, with errors that name the key."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

import pytest

from hub.contracts.organisations import load_registry
from hub.contracts.reference import load_reference
from hub.domain.thresholds import Thresholds, load_thresholds, parse_thresholds
from hub.errors import ConfigurationError


def _packaged_text() -> str:
    """Return the packaged escalation.toml."""
    return resources.files("hub.domain").joinpath("data", "escalation.toml").read_text("utf-8")


def _error(text: str) -> ConfigurationError:
    """Parse ``text``, expecting a ConfigurationError, and return it."""
    with pytest.raises(ConfigurationError) as info:
        parse_thresholds(text)
    return info.value


def test_packaged_thresholds_load() -> None:
    """The packaged file holds the thresholds of the design."""
    thresholds = load_thresholds()
    assert thresholds.grip_high.min_level == "3"
    assert thresholds.supra_regional.window == timedelta(hours=12)
    assert thresholds.supra_regional.min_regions == 2
    assert thresholds.capacity_shortfall.min_available_percent == 20
    assert thresholds.silent_organisation.max_silence == timedelta(minutes=5)


def test_expected_reporters_are_all_regions_then_the_partners() -> None:
    """Every safety region is expected, then the configured national partners."""
    expected = load_thresholds().silent_organisation.expected()
    regions = load_registry().region_ids()
    assert expected[: len(regions)] == regions
    assert expected[len(regions) :] == ("ncc", "locc")


def test_grip_ranks_come_from_reference_data() -> None:
    """GRIP codes are compared by their rank; 'RIJK' is above 5."""
    grip = parse_thresholds(
        _packaged_text().replace('critical_level = "4"', 'critical_level = "RIJK"')
    ).grip_high
    reference = load_reference()
    assert (grip.min_rank(reference), grip.critical_rank(reference)) == (3, 6)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('min_level = "3"', 'min_level = "9"', "grip_high.min_level"),
        ('critical_level = "4"', 'critical_level = "2"', "grip_high"),
        ("window_hours = 12", "window_hours = 0", "supra_regional.window_hours"),
        ("min_regions = 2", "min_regions = 1", "supra_regional.min_regions"),
        ("min_available_percent = 20", "min_available_percent = 120",
         "capacity_shortfall.min_available_percent"),
        ('expected_partners = ["ncc", "locc"]', 'expected_partners = ["nobody"]',
         "silent_organisation.expected_partners"),
        ("max_silence_minutes = 5", "max_silence_minutes = 'five'",
         "silent_organisation.max_silence_minutes"),
        ("[assistance_overdue]", "[assistance_overdue]\nsurprise = 1",
         "assistance_overdue.surprise"),
        ("[capacity]\n", "[kapacity]\n", "capacity"),
    ],
)  # fmt: skip
def test_bad_value_names_its_key(old: str, new: str, key: str) -> None:
    """A bad, missing or unknown key gives a ConfigurationError naming that key first."""
    text = _packaged_text()
    assert old in text
    error = _error(text.replace(old, new, 1))
    assert error.field == key
    assert key in str(error)
    assert "escalation.toml" in str(error)


def test_bad_toml_says_so() -> None:
    """A file that is not TOML names the file and says it is not valid TOML."""
    error = _error("[grip_high\nmin_level = 3")
    assert "not valid TOML" in str(error)


def test_replace_changes_one_section_and_validates() -> None:
    """replace() returns a changed copy and validates it like the file."""
    thresholds = load_thresholds()
    changed = thresholds.replace("silent_organisation", expected_partners=[])
    assert changed.silent_organisation.expected_partners == ()
    assert thresholds.silent_organisation.expected_partners == ("ncc", "locc")
    with pytest.raises(ValueError, match="critical_regions"):
        thresholds.replace("supra_regional", critical_regions=1)


def test_thresholds_are_frozen() -> None:
    """Thresholds cannot be changed in place."""
    thresholds: Thresholds = load_thresholds()
    with pytest.raises(ValueError, match="frozen"):
        thresholds.grip_high.min_level = "1"  # type: ignore[misc]
