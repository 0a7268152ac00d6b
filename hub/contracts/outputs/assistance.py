"""Assistance outcomes: a request is fulfilled, or its deadline passed without that.

Each is announced once, to the requester, at the first clock tick that sees it. A request
is fulfilled when the units accepted from offers reach the quantity asked; it expired when
``needed_by`` passed first (the LOCC is told through the ``assistance_overdue`` signal).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.contracts.events.envelope import EventData, data_field, type_field
from hub.contracts.fields import (
    Count,
    Identifier,
    OrgId,
    PositiveCount,
    RegionId,
    ResourceCode,
    UtcDatetime,
)
from hub.contracts.outputs.base import HubOutput

__all__ = [
    "AssistanceExpired",
    "AssistanceFulfilled",
    "AssistanceOutcomeData",
    "Contribution",
]


class Contribution(BaseModel):
    """What one organisation offered against a request, and how much of it was accepted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    org_id: OrgId = Field(description="The offering organisation.")
    offered: Count = Field(description="Units offered (offers not withdrawn).")
    accepted: Count = Field(description="Units of those accepted by the requester.")


class AssistanceOutcomeData(EventData):
    """The state of an assistance request when it was fulfilled or expired."""

    request_id: Identifier = Field(description="Id of the assistance request.")
    requester: OrgId = Field(description="Organisation that asked.")
    resource_type: ResourceCode = Field(description="Resource type code.")
    quantity: PositiveCount = Field(description="Units asked.")
    accepted: Count = Field(description="Units accepted (capped at the quantity asked).")
    offered: Count = Field(description="Units offered, withdrawn offers not counted.")
    region: RegionId = Field(description="Region where the units are needed.")
    regions: tuple[RegionId, ...] = Field(default=(), description="Regions involved.")
    incident_id: Identifier | None = Field(default=None, description="Incident, if any.")
    needed_by: UtcDatetime = Field(description="When the units were needed.")
    contributions: tuple[Contribution, ...] = Field(
        default=(), description="Per offering organisation, sorted by id."
    )
    observed_at: UtcDatetime = Field(description="Time of the tick that saw the outcome.")


class AssistanceFulfilled(HubOutput):
    """The units accepted for an assistance request reach the quantity asked."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.assistance.fulfilled"] = type_field("nl.kcr.assistance.fulfilled")
    data: AssistanceOutcomeData = data_field("The request, fulfilled.")


class AssistanceExpired(HubOutput):
    """An assistance request passed its ``needed_by`` without being fulfilled."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.assistance.expired"] = type_field("nl.kcr.assistance.expired")
    data: AssistanceOutcomeData = data_field("The request, expired.")
