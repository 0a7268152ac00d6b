"""Notices to a sender: the hub refused one of its records, and says why and what to fix.

The gateway writes a rejected record to the dead-letter topic and, in the same transaction, a
notice to the sender's own outbox ``kcr.outbox.<org>`` (the organisation whose ingress topic
the record came in on, whatever it claims as ``source``). The notice is RED, addressed to that
organisation only: it quotes what the sender sent, nothing of anyone else's.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from hub.contracts.events.envelope import EventData, Tlp, data_field, type_field
from hub.contracts.fields import Identifier, Text, UtcDatetime
from hub.contracts.outputs.base import HubOutput

__all__ = ["IngressRejected", "IngressRejectedData"]

_Reason = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$", max_length=60)]


class IngressRejectedData(EventData):
    """Which record was refused, the reason code and what to fix."""

    reason: _Reason = Field(
        description="Reason code, as on the dead-letter record (e.g. 'not_owner')."
    )
    detail: Text = Field(description="What was wrong and how to fix it, for people.")
    event_id: Identifier | None = Field(
        default=None, description="The refused event's id (its ce_id header), if it had one."
    )
    event_type: str | None = Field(
        default=None,
        max_length=200,
        description="The refused event's type (its ce_type header), if it had one.",
    )
    topic: str = Field(max_length=249, description="Ingress topic the record came in on.")
    partition: int = Field(ge=0, description="Its partition.")
    offset: int = Field(ge=0, description="Its offset: with topic and partition, which record.")
    rejected_at: UtcDatetime = Field(description="When the gateway refused it.")


class IngressRejected(HubOutput):
    """The hub refused a record the recipient sent; it is in the dead-letter topic."""

    type: Literal["nl.kcr.ingress.rejected"] = type_field("nl.kcr.ingress.rejected")
    tlp: Tlp = Field(default=Tlp.RED, description="Always RED: for the sender only.")
    data: IngressRejectedData = data_field("The refused record and why.")
