"""Assistance (bijstand) events: a request, offers against it, acceptance and withdrawal.

Every event of one request carries its ``request_id`` as subject, so the whole negotiation is
one aggregate in ``kcr.log.assistance``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import (
    Identifier,
    Location,
    PositiveCount,
    RegionId,
    RequiredText,
    ResourceCode,
    Text,
    UtcDatetime,
)

__all__ = [
    "AssistanceAccepted",
    "AssistanceAcceptedData",
    "AssistanceOffered",
    "AssistanceOfferedData",
    "AssistanceRequested",
    "AssistanceRequestedData",
    "AssistanceWithdrawn",
    "AssistanceWithdrawnData",
]


class AssistanceRequestedData(EventData):
    """A request for a quantity of one resource type."""

    request_id: Identifier = Field(description="Id of the request, chosen by the requester.")
    incident_id: Identifier | None = Field(
        default=None, description="Incident the assistance is for, if any."
    )
    resource_type: ResourceCode = Field(description="Resource type code (reference data).")
    quantity: PositiveCount = Field(description="Number of units needed.")
    region: RegionId = Field(description="Region where the units are needed.")
    location: Location | None = Field(default=None, description="Where to report for duty.")
    needed_by: UtcDatetime = Field(description="When the units must be there (RFC 3339).")
    note: Text = Field(default="", description="Remarks, e.g. staging area or conditions.")


class AssistanceRequested(EventEnvelope):
    """An organisation asks other partners for assistance."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.assistance.requested"] = type_field("nl.kcr.assistance.requested")
    data: AssistanceRequestedData = data_field("The request.")


class AssistanceOfferedData(EventData):
    """An offer of units against a request."""

    request_id: Identifier = Field(description="Id of the request the offer answers.")
    offer_id: Identifier = Field(description="Id of the offer, chosen by the offerer.")
    resource_type: ResourceCode = Field(description="Resource type code (reference data).")
    quantity: PositiveCount = Field(description="Number of units offered.")
    available_from: UtcDatetime | None = Field(
        default=None, description="When the units can leave, if not at once (RFC 3339)."
    )
    note: Text = Field(default="", description="Remarks, e.g. crew or transport included.")
    location: Location | None = Field(
        default=None, description="Where the offered units are now (they leave from there)."
    )


class AssistanceOffered(EventEnvelope):
    """An organisation offers units against an assistance request."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.assistance.offered"] = type_field("nl.kcr.assistance.offered")
    data: AssistanceOfferedData = data_field("The offer.")


class AssistanceAcceptedData(EventData):
    """The requester accepts (part of) an offer."""

    request_id: Identifier = Field(description="Id of the request.")
    offer_id: Identifier = Field(description="Id of the accepted offer.")
    quantity: PositiveCount = Field(description="Number of offered units accepted.")


class AssistanceAccepted(EventEnvelope):
    """The requester accepts an offer."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.assistance.accepted"] = type_field("nl.kcr.assistance.accepted")
    data: AssistanceAcceptedData = data_field("The acceptance.")


class AssistanceWithdrawnData(EventData):
    """A request (no ``offer_id``) or one offer (with ``offer_id``) is withdrawn."""

    request_id: Identifier = Field(description="Id of the request.")
    offer_id: Identifier | None = Field(
        default=None, description="Id of the withdrawn offer; null withdraws the request."
    )
    reason: RequiredText = Field(description="Why it is withdrawn.")


class AssistanceWithdrawn(EventEnvelope):
    """The requester withdraws a request, or an offerer withdraws an offer."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.assistance.withdrawn"] = type_field("nl.kcr.assistance.withdrawn")
    data: AssistanceWithdrawnData = data_field("What is withdrawn and why.")
