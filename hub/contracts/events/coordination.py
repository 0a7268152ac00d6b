"""Coordination events: a named partner acknowledges a request addressed to it."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import Identifier, Text

__all__ = [
    "CoordinationAcknowledged",
    "CoordinationAcknowledgedData",
    "CoordinationResponse",
]


class CoordinationResponse(StrEnum):
    """How the addressee answers a coordination request."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOTED = "noted"


class CoordinationAcknowledgedData(EventData):
    """The acknowledgement of one coordination request."""

    request_id: Identifier = Field(description="Id of the request acknowledged.")
    response: CoordinationResponse = Field(description="Accepted, declined or noted.")
    note: Text = Field(default="", description="Remarks, e.g. why a request is declined.")


class CoordinationAcknowledged(EventEnvelope):
    """A partner acknowledges a coordination request; overdue ones are escalated."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.coordination.acknowledged"] = type_field(
        "nl.kcr.coordination.acknowledged"
    )
    data: CoordinationAcknowledgedData = data_field("The acknowledgement.")
