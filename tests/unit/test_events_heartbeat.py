"""Heartbeats: the status takes one of three values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]


def test_status_lists_the_allowed_values(example: Example, field_error: FieldError) -> None:
    """An unknown status is refused and ok, degraded and down are named."""
    document = example("nl.kcr.heartbeat.sent")
    document["data"]["status"] = "fine"
    assert "'ok', 'degraded' or 'down'" in field_error(document, ("data", "status"))
