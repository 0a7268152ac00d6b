"""Subscription changes: known kinds only, each at most once; every partner may publish one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from hub.contracts.events.subscription import SUBSCRIPTION_KINDS
from hub.contracts.organisations import load_registry

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]


def test_unknown_kind_is_refused(example: Example, field_error: FieldError) -> None:
    """A kind outside the vocabulary is refused, naming the allowed kinds."""
    document = example("nl.kcr.subscription.changed")
    document["data"]["add"] = ["weather"]
    message = field_error(document, ("data", "add", 0))
    assert "'signals'" in message


def test_kinds_are_unique(example: Example, field_error: FieldError) -> None:
    """The same kind twice in one list is refused."""
    document = example("nl.kcr.subscription.changed")
    document["data"]["remove"] = ["views", "views"]
    assert "repeated: views" in field_error(document, ("data", "remove"))


def test_the_vocabulary_is_the_hubs_output_kinds() -> None:
    """The kinds are the hub's output families plus signals and views."""
    assert SUBSCRIPTION_KINDS == (
        "signals", "views", "coordination", "assistance", "information", "advice",
    )  # fmt: skip


@pytest.mark.parametrize("org_id", ["vr19", "ncc", "min-jenv", "rijkswaterstaat", "analysts"])
def test_every_partner_may_publish_its_subscriptions(org_id: str) -> None:
    """Every role may publish nl.kcr.subscription.changed (for itself)."""
    assert load_registry().may_publish(org_id, "nl.kcr.subscription.changed")
