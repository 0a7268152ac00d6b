"""Advice requests: a measure template with finite, uniquely named parameters."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

Example = Callable[[str], dict[str, Any]]
FieldError = Callable[[Mapping[str, Any], tuple[str | int, ...]], str]
REQUESTED = "nl.kcr.advice.requested"


def test_parameter_names_are_unique(example: Example, field_error: FieldError) -> None:
    """Each parameter of a measure is given once."""
    document = example(REQUESTED)
    document["data"]["parameters"] = [
        {"name": "people", "value": 1},
        {"name": "people", "value": 2},
    ]
    message = field_error(document, ("data", "parameters"))
    assert "parameter names must be unique; repeated: people" in message


def test_parameter_values_are_finite(example: Example, field_error: FieldError) -> None:
    """NaN and infinity are not numbers a feasibility check can use."""
    document = example(REQUESTED)
    document["data"]["parameters"] = [{"name": "people", "value": math.inf}]
    assert "finite number" in field_error(document, ("data", "parameters", 0, "value"))


def test_measure_is_a_template_name(example: Example, field_error: FieldError) -> None:
    """A measure names a template in snake_case, not free text."""
    document = example(REQUESTED)
    document["data"]["measure"] = "Evacuate Walcheren!"
    assert "should match pattern" in field_error(document, ("data", "measure"))
