"""Reference data: GRIP levels, resource types and incident categories, kept as data.

The codes are plain strings in events and schemas, so a table can change without a schema
change. Validators in :mod:`hub.contracts.types` check codes against these tables and name the
allowed values when a code is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, cached_property
from types import MappingProxyType
from typing import Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.contracts._data import read_json
from hub.contracts.errors import UnknownReferenceCode

__all__ = [
    "GripLevel",
    "IncidentCategory",
    "ReferenceData",
    "ResourceType",
    "load_reference",
]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(min_length=1, max_length=40, description="The code used in events.")
    label: str = Field(min_length=1, description="Human-readable label.")


class GripLevel(_Entry):
    """A GRIP escalation level; ``rank`` orders the levels (0 lowest)."""

    rank: int = Field(ge=0, description="Position in the escalation order, 0 is the lowest.")


class ResourceType(_Entry):
    """A kind of resource whose capacity is reported and requested."""

    unit: str = Field(min_length=1, description="What one counted item is (bed, vehicle, ...).")


class IncidentCategory(_Entry):
    """A kind of incident."""


_E = TypeVar("_E", bound=_Entry)


def _index(entries: tuple[_E, ...]) -> Mapping[str, _E]:
    return MappingProxyType({entry.code: entry for entry in entries})


class ReferenceData(BaseModel):
    """The reference tables, each in its documented order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grip_levels: tuple[GripLevel, ...] = Field(description="GRIP levels, lowest first.")
    resource_types: tuple[ResourceType, ...] = Field(description="Resource types.")
    incident_categories: tuple[IncidentCategory, ...] = Field(description="Incident categories.")

    @model_validator(mode="after")
    def _codes_are_unique(self) -> Self:
        tables: dict[str, tuple[_Entry, ...]] = {
            "grip_levels": self.grip_levels,
            "resource_types": self.resource_types,
            "incident_categories": self.incident_categories,
        }
        for name, entries in tables.items():
            codes = [entry.code for entry in entries]
            if len(set(codes)) != len(codes):
                raise ValueError(f"{name} has duplicate codes: {codes}")
        ranks = [level.rank for level in self.grip_levels]
        if ranks != sorted(set(ranks)):
            raise ValueError(
                f"grip_levels must be listed lowest first with distinct ranks: {ranks}"
            )
        return self

    @cached_property
    def _grip_index(self) -> Mapping[str, GripLevel]:
        return _index(self.grip_levels)

    @cached_property
    def _resource_index(self) -> Mapping[str, ResourceType]:
        return _index(self.resource_types)

    @cached_property
    def _category_index(self) -> Mapping[str, IncidentCategory]:
        return _index(self.incident_categories)

    def grip_codes(self) -> tuple[str, ...]:
        """Return the GRIP level codes, lowest first (made once: every event checks one)."""
        return self._grip_codes

    def resource_codes(self) -> tuple[str, ...]:
        """Return the resource type codes."""
        return self._resource_codes

    def category_codes(self) -> tuple[str, ...]:
        """Return the incident category codes."""
        return self._category_codes

    @cached_property
    def _grip_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.grip_levels)

    @cached_property
    def _resource_codes(self) -> tuple[str, ...]:
        return tuple(resource.code for resource in self.resource_types)

    @cached_property
    def _category_codes(self) -> tuple[str, ...]:
        return tuple(category.code for category in self.incident_categories)

    def grip_level(self, code: str) -> GripLevel:
        """Return the GRIP level ``code``; raise :class:`UnknownReferenceCode` if unknown."""
        return _lookup("GRIP level", self._grip_index, code)

    def resource_type(self, code: str) -> ResourceType:
        """Return the resource type ``code``; raise :class:`UnknownReferenceCode` if unknown."""
        return _lookup("resource type", self._resource_index, code)

    def incident_category(self, code: str) -> IncidentCategory:
        """Return the incident category ``code``; raise :class:`UnknownReferenceCode` if unknown."""
        return _lookup("incident category", self._category_index, code)

    def grip_rank(self, code: str) -> int:
        """Return the rank of GRIP level ``code`` (0 lowest), to compare escalation levels."""
        return self.grip_level(code).rank


def _lookup(table: str, entries: Mapping[str, _E], code: str) -> _E:
    try:
        return entries[code]
    except KeyError:
        raise UnknownReferenceCode(table, code, entries) from None


@cache
def load_reference() -> ReferenceData:
    """Return the packaged reference data (read once, then cached)."""
    return ReferenceData.model_validate(read_json("reference.json"))
