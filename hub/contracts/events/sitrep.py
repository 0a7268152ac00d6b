"""Situation report events: a periodic written picture of the situation."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import GripCode, Identifier, Location, RequiredText, Text, UtcDatetime

__all__ = ["SitrepPublished", "SitrepPublishedData"]


class SitrepPublishedData(EventData):
    """A situation report (sitrep)."""

    sitrep_id: Identifier = Field(description="Id of the situation report.")
    incident_id: Identifier | None = Field(
        default=None, description="Incident the report is about, if one."
    )
    summary: RequiredText = Field(description="The situation in a few sentences.")
    period_start: UtcDatetime | None = Field(
        default=None, description="Start of the period covered (RFC 3339)."
    )
    period_end: UtcDatetime | None = Field(
        default=None, description="End of the period covered (RFC 3339); not before the start."
    )
    grip_level: GripCode | None = Field(default=None, description="Current GRIP level, if any.")
    details: Text | None = Field(default=None, description="The full report text, if any.")
    location: Location | None = Field(
        default=None, description="Where the report is about: a place, a point or an area."
    )

    @field_validator("period_end")
    @classmethod
    def _end_after_start(cls, end: object, info: ValidationInfo) -> object:
        start = info.data.get("period_start")
        if start is not None and end is not None and end < start:
            raise ValueError(f"period_end {end} is before period_start {start}")
        return end


class SitrepPublished(EventEnvelope):
    """An organisation publishes a situation report."""

    aggregate_field: ClassVar[str | None] = "sitrep_id"
    type: Literal["nl.kcr.sitrep.published"] = type_field("nl.kcr.sitrep.published")
    data: SitrepPublishedData = data_field("The situation report.")
