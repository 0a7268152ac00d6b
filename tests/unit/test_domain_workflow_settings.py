"""The workflow settings: one TOML file, validated, with errors that name the key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.contracts.events.envelope import Tlp
from hub.contracts.organisations import load_registry
from hub.domain._common import packaged_text
from hub.domain.workflow_settings import load_workflow_settings, parse_workflow_settings
from hub.errors import ConfigurationError


def test_packaged_settings_load() -> None:
    """The packaged file holds the workflow settings of the design."""
    settings = load_workflow_settings()
    assert settings.assistance.max_candidates == 5
    assert settings.assistance.response_window == timedelta(minutes=30)
    assert settings.information.reminder_fraction == 0.75
    assert settings.advice.validators(load_registry()) == ("ncc", "locc")
    assert settings.routing.view_tlp is Tlp.AMBER


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("max_candidates = 5", "max_candidates = 0", "assistance.max_candidates"),
        ("reminder_fraction = 0.75", "reminder_fraction = 1.5", "information.reminder_fraction"),
        ('validator_role = "national_centre"', 'validator_role = "king"', "advice.validator_role"),
        ('view_tlp = "AMBER"', 'view_tlp = "PURPLE"', "routing.view_tlp"),
    ],
)
def test_bad_value_names_its_key(old: str, new: str, key: str) -> None:
    """A bad value gives a ConfigurationError naming its key and the file."""
    text = packaged_text("workflows.toml")
    assert old in text
    with pytest.raises(ConfigurationError) as info:
        parse_workflow_settings(text.replace(old, new))
    assert info.value.field == key
    assert "workflows.toml" in str(info.value)


def test_replace_changes_one_section_and_validates() -> None:
    """replace() returns a changed copy and validates it like the file."""
    settings = load_workflow_settings()
    assert settings.replace("assistance", max_candidates=2).assistance.max_candidates == 2
    with pytest.raises(ValueError, match="max_candidates"):
        settings.replace("assistance", max_candidates=0)
