"""Scenarios: indicators are identified uniquely."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]


def test_indicator_ids_are_unique(example: Example, field_error: FieldError) -> None:
    """Two indicators with one id cannot be told apart when they fire."""
    document = example("nl.kcr.scenario.defined")
    first = document["data"]["indicators"][0]
    document["data"]["indicators"] = [first, first | {"condition": "true"}]
    message = field_error(document, ("data", "indicators"))
    assert f"indicator ids must be unique; repeated: {first['indicator_id']}" in message
