"""Capacity events: an organisation reports how much of a resource it has and can spare."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import Count, Location, RegionId, ResourceCode, Text, UtcDatetime

__all__ = ["CapacityReported", "CapacityReportedData"]


class CapacityReportedData(EventData):
    """The capacity of one resource type at one organisation (or one of its locations).

    ``available`` and ``committed`` are disjoint parts of ``total``: available can be deployed
    now, committed is already promised or deployed, the rest is out of service.
    """

    resource_type: ResourceCode = Field(description="Resource type code (reference data).")
    total: Count = Field(description="Number of units the organisation has in total.")
    available: Count = Field(description="Units that can be deployed now; at most total.")
    committed: Count = Field(
        default=0, description="Units already promised or deployed; available + committed ≤ total."
    )
    region: RegionId | None = Field(
        default=None, description="Region where the capacity is, if not the source's own."
    )
    location: Location | None = Field(default=None, description="Where the capacity is kept.")
    valid_until: UtcDatetime = Field(description="When this report goes stale (RFC 3339).")
    note: Text = Field(default="", description="Remarks, e.g. conditions of deployment.")

    @field_validator("available")
    @classmethod
    def _available_within_total(cls, available: int, info: ValidationInfo) -> int:
        total = info.data.get("total")
        if total is not None and available > total:
            raise ValueError(f"available ({available}) must not exceed total ({total})")
        return available

    @field_validator("committed")
    @classmethod
    def _committed_within_total(cls, committed: int, info: ValidationInfo) -> int:
        total, available = info.data.get("total"), info.data.get("available")
        if total is not None and available is not None and available + committed > total:
            raise ValueError(
                f"available ({available}) + committed ({committed}) must not exceed total ({total})"
            )
        return committed


class CapacityReported(EventEnvelope):
    """An organisation reports its capacity of one resource type.

    By convention the subject is ``<source>/<resource_type>``, the key of the capacity view.
    """

    type: Literal["nl.kcr.capacity.reported"] = type_field("nl.kcr.capacity.reported")
    data: CapacityReportedData = data_field("The capacity as reported.")
