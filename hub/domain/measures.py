"""Measure templates, kept as data (``data/measures.toml``), and what a measure needs.

A template names its parameters and, per resource type, how many units the measure needs:
``need = ceil(units × (product of the named parameters) / per)``. The arithmetic is exact:
numbers are read through their decimal text (``0.1`` km is one tenth, not a binary float), so
``1 per 50`` of 11 500 people is 230 buses, never 231.

:func:`needs_of` checks a request against its template and raises
:class:`InvalidMeasureRequest` with a reason a person can act on: unknown measure, missing or
unknown parameter, a value out of range, or a need too large to count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)

from hub.contracts.fields import MAX_COUNT, check_resource_type
from hub.domain._common import packaged_text, parse_toml_model
from hub.errors import HubError

__all__ = [
    "MEASURES_FILE",
    "InvalidMeasureRequest",
    "MeasureCatalogue",
    "MeasureTemplate",
    "NeedSpec",
    "ParameterSpec",
    "load_measures",
    "needs_of",
    "parse_measures",
]

MEASURES_FILE = "hub/domain/data/measures.toml"
"""Where the packaged measure templates live (for messages)."""

_Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ParameterSpec(_Section):
    """One numeric parameter of a measure."""

    description: str = Field(min_length=1, description="What the parameter means.")
    default: float | None = Field(default=None, description="Value when not given.")
    minimum: float = Field(default=0.0, description="Smallest value allowed.")
    maximum: float | None = Field(default=None, description="Largest value allowed.")


class NeedSpec(_Section):
    """How many units of one resource type a measure needs."""

    resource_type: str = Field(description="Resource type code (reference data).")
    parameters: tuple[_Name, ...] = Field(min_length=1, description="Parameters multiplied.")
    units: float = Field(default=1.0, gt=0, description="Units per 'per' of the product.")
    per: float = Field(default=1.0, gt=0, description="Amount of the product per 'units'.")

    @field_validator("resource_type")
    @classmethod
    def _known_type(cls, code: str) -> str:
        return check_resource_type(code)


class MeasureTemplate(_Section):
    """A measure: its parameters and its needs per resource type."""

    description: str = Field(min_length=1, description="What the measure is.")
    parameters: dict[_Name, ParameterSpec] = Field(description="Its parameters by name.")
    needs: tuple[NeedSpec, ...] = Field(min_length=1, description="Its needs, in order.")

    @model_validator(mode="after")
    def _needs_name_parameters(self) -> Self:
        for need in self.needs:
            unknown = [name for name in need.parameters if name not in self.parameters]
            if unknown:
                raise ValueError(f"need {need.resource_type} names unknown parameters {unknown}")
        return self


class MeasureCatalogue(RootModel[dict[_Name, MeasureTemplate]]):
    """Every measure template, by name."""

    def names(self) -> tuple[str, ...]:
        """Return the measure names, sorted."""
        return tuple(sorted(self.root))


class InvalidMeasureRequest(HubError, ValueError):
    """A request for advice does not fit its measure template."""

    def __init__(self, measure: str, reason: str) -> None:
        """Name the ``measure`` and say what is wrong with the request (``reason``)."""
        self.measure = measure
        self.reason = reason
        super().__init__(f"Invalid request for measure {measure!r}: {reason}")


def _exact(value: float) -> Fraction:
    return Fraction(repr(value))


def _values(
    measure: str, template: MeasureTemplate, given: Mapping[str, float]
) -> dict[str, Fraction]:
    unknown = sorted(set(given) - set(template.parameters))
    if unknown:
        raise InvalidMeasureRequest(
            measure,
            f"unknown parameter {', '.join(unknown)}; its parameters are "
            f"{', '.join(template.parameters)}",
        )
    values: dict[str, Fraction] = {}
    for name, spec in template.parameters.items():
        value = given.get(name, spec.default)
        if value is None:
            raise InvalidMeasureRequest(measure, f"missing parameter {name!r} ({spec.description})")
        too_big = spec.maximum is not None and value > spec.maximum
        if value < spec.minimum or too_big or not math.isfinite(value):
            bounds = f"at least {spec.minimum:g}" + (
                f" and at most {spec.maximum:g}" if spec.maximum is not None else ""
            )
            raise InvalidMeasureRequest(
                measure, f"parameter {name!r} is {value:g}; must be {bounds}"
            )
        values[name] = _exact(value)
    return values


def needs_of(
    catalogue: MeasureCatalogue, measure: str, given: Mapping[str, float]
) -> list[tuple[str, int]]:
    """Return (resource type, units needed) for ``measure`` with ``given`` parameters, in order.

    Raises :class:`InvalidMeasureRequest` when the request does not fit the template.
    """
    template = catalogue.root.get(measure)
    if template is None:
        raise InvalidMeasureRequest(
            measure, f"unknown measure; known measures: {', '.join(catalogue.names())}"
        )
    values = _values(measure, template, given)
    needs: dict[str, int] = {}
    for spec in template.needs:
        product = math.prod((values[name] for name in spec.parameters), start=Fraction(1))
        units = math.ceil(product * _exact(spec.units) / _exact(spec.per))
        needs[spec.resource_type] = needs.get(spec.resource_type, 0) + units
        if needs[spec.resource_type] > MAX_COUNT:
            raise InvalidMeasureRequest(
                measure, f"the parameters give a need of {spec.resource_type} too large to count"
            )
    return list(needs.items())


def parse_measures(text: str, *, source: str = MEASURES_FILE) -> MeasureCatalogue:
    """Validate a TOML text into a :class:`MeasureCatalogue`; a bad key raises an error."""
    return parse_toml_model(MeasureCatalogue, text, source)


@cache
def load_measures() -> MeasureCatalogue:
    """Return the packaged measure templates (read once, then cached)."""
    return parse_measures(packaged_text("measures.toml"))
