"""Coordination acknowledgements: the response takes one of three values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]


def test_response_lists_the_allowed_values(example: Example, field_error: FieldError) -> None:
    """An unknown response is refused and accepted, declined and noted are named."""
    document = example("nl.kcr.coordination.acknowledged")
    document["data"]["response"] = "maybe"
    message = field_error(document, ("data", "response"))
    assert "'accepted', 'declined' or 'noted'" in message
