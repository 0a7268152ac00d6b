"""Incident events: an incident is reported, updated while it develops, and closed."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import (
    CategoryCode,
    Count,
    GripCode,
    Identifier,
    Location,
    RegionId,
    RequiredText,
    ShortText,
    Text,
    UtcDatetime,
    check_unique,
)

__all__ = [
    "IncidentClosed",
    "IncidentClosedData",
    "IncidentReported",
    "IncidentReportedData",
    "IncidentStatus",
    "IncidentUpdated",
    "IncidentUpdatedData",
    "Severity",
]


class Severity(StrEnum):
    """How severe an incident is, as in CAP 1.2 (without CAP's 'Unknown')."""

    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"


class IncidentStatus(StrEnum):
    """Where an incident stands in its course."""

    ACTIVE = "active"
    ESCALATING = "escalating"
    CONTAINED = "contained"
    UNDER_CONTROL = "under_control"
    RECOVERY = "recovery"


def _regions_unique(regions: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if regions is not None:
        check_unique(regions, "regions")
    return regions


class IncidentReportedData(EventData):
    """A new incident as first reported."""

    incident_id: Identifier = Field(description="Id of the incident, chosen by the reporter.")
    category: CategoryCode = Field(description="Incident category code (reference data).")
    title: ShortText = Field(description="Short title, e.g. 'Dijkdoorbraak Kapelle'.")
    description: Text = Field(default="", description="What is known so far.")
    regions: tuple[RegionId, ...] = Field(
        min_length=1, description="Safety regions affected, e.g. ['vr19']."
    )
    location: Location | None = Field(default=None, description="Where the incident is.")
    grip_level: GripCode = Field(description="GRIP level code (reference data), e.g. '2'.")
    severity: Severity = Field(description="How severe the incident is.")
    affected_people: Count = Field(default=0, description="Estimated number of people affected.")
    started_at: UtcDatetime = Field(description="When the incident started (RFC 3339).")

    _unique_regions = field_validator("regions")(_regions_unique)


class IncidentReported(EventEnvelope):
    """An organisation reports a new incident."""

    aggregate_field: ClassVar[str | None] = "incident_id"
    type: Literal["nl.kcr.incident.reported"] = type_field("nl.kcr.incident.reported")
    data: IncidentReportedData = data_field("The incident as reported.")


class IncidentUpdatedData(EventData):
    """A change to a reported incident; fields left out (null) are unchanged."""

    incident_id: Identifier = Field(description="Id of the incident.")
    status: IncidentStatus = Field(description="Where the incident now stands.")
    grip_level: GripCode | None = Field(default=None, description="New GRIP level, if changed.")
    severity: Severity | None = Field(default=None, description="New severity, if changed.")
    affected_people: Count | None = Field(
        default=None, description="New estimate of people affected, if changed."
    )
    regions: tuple[RegionId, ...] | None = Field(
        default=None, min_length=1, description="Full new list of regions affected, if changed."
    )
    note: Text = Field(default="", description="What changed and why.")

    _unique_regions = field_validator("regions")(_regions_unique)


class IncidentUpdated(EventEnvelope):
    """An organisation updates an incident it follows."""

    aggregate_field: ClassVar[str | None] = "incident_id"
    type: Literal["nl.kcr.incident.updated"] = type_field("nl.kcr.incident.updated")
    data: IncidentUpdatedData = data_field("The change to the incident.")


class IncidentClosedData(EventData):
    """The end of an incident."""

    incident_id: Identifier = Field(description="Id of the incident.")
    reason: RequiredText = Field(description="Why the incident is closed.")
    closed_at: UtcDatetime = Field(description="When the incident was closed (RFC 3339).")


class IncidentClosed(EventEnvelope):
    """An organisation closes an incident."""

    aggregate_field: ClassVar[str | None] = "incident_id"
    type: Literal["nl.kcr.incident.closed"] = type_field("nl.kcr.incident.closed")
    data: IncidentClosedData = data_field("The closure of the incident.")
