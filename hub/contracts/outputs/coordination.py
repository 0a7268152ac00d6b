"""Coordination requests: the hub asks one named partner to act, and tracks its answer.

The partner answers with ``nl.kcr.coordination.acknowledged`` (accepted, declined or noted)
quoting ``request_id``; a request not answered by ``respond_by`` is escalated. For assistance
(bijstand) the hub asks the nearest partners that report available capacity, one request each.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from hub.contracts.events.envelope import EventData, data_field, type_field
from hub.contracts.fields import (
    Identifier,
    Location,
    OrgId,
    PositiveCount,
    RegionId,
    ShortText,
    Text,
    UtcDatetime,
)
from hub.contracts.outputs.base import HubOutput

__all__ = ["CoordinationKind", "CoordinationRequested", "CoordinationRequestedData"]

CoordinationKind = Literal["assistance"]
"""What a coordination request is about (only assistance so far)."""


class CoordinationRequestedData(EventData):
    """One request to one partner: what is asked, for whom, and by when to answer."""

    request_id: Identifier = Field(
        description="Id of this coordination request, to quote in the acknowledgement."
    )
    kind: CoordinationKind = Field(description="What the request is about, e.g. 'assistance'.")
    what: ShortText = Field(description="What is asked, e.g. a resource type code ('pump').")
    quantity: PositiveCount = Field(description="Units asked of this partner.")
    total_quantity: PositiveCount = Field(description="Units the whole request needs.")
    for_org: OrgId = Field(description="Organisation the request is made for (the requester).")
    region: RegionId | None = Field(default=None, description="Region where the units go.")
    location: Location | None = Field(default=None, description="Where to report for duty.")
    incident_id: Identifier | None = Field(default=None, description="Incident, if any.")
    needed_by: UtcDatetime | None = Field(default=None, description="When the units must be there.")
    respond_by: UtcDatetime = Field(description="When the answer is due (RFC 3339).")
    assistance_request_id: Identifier | None = Field(
        default=None, description="Id of the assistance request this asks for, if any."
    )
    note: Text = Field(default="", description="The requester's remarks.")


class CoordinationRequested(HubOutput):
    """The hub asks a named partner (the one recipient) to act on a request."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.coordination.requested"] = type_field("nl.kcr.coordination.requested")
    data: CoordinationRequestedData = data_field("The request.")
