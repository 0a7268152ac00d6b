"""The event envelope, aligned with CloudEvents 1.0, and the base of every event payload.

Each event type is a subclass of :class:`EventEnvelope` that fixes ``type`` to one literal and
``data`` to one payload model. ``subject`` is the id of the aggregate the event belongs to; where
the payload carries that id (``incident_id``, ``request_id``, ...) the two must agree.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.contracts.fields import Identifier, OrgId, UtcDatetime, to_utc

__all__ = [
    "EVENT_TYPE_PATTERN",
    "EventData",
    "EventEnvelope",
    "Tlp",
    "data_field",
    "type_field",
]

EVENT_TYPE_PATTERN = r"^nl\.kcr\.[a-z][a-z_]*\.[a-z][a-z_]*$"
"""Event types are ``nl.kcr.<family>.<verb>``."""


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 label: who may receive an event.

    ``AMBER_STRICT`` stands for TLP's AMBER+STRICT (Avro enum symbols cannot hold a '+').
    """

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER_STRICT"
    RED = "RED"


class EventData(BaseModel):
    """Base of every event payload: frozen and without unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def type_field(event_type: str) -> Any:
    """Return the ``type`` field of the event class for ``event_type``."""
    return Field(default=event_type, description=f"Event type, always '{event_type}'.")


def data_field(description: str) -> Any:
    """Return the ``data`` field of an event class, described by ``description``."""
    return Field(description=description)


class EventEnvelope(BaseModel):
    """A CloudEvents 1.0 envelope around a typed payload (abstract: use a subclass)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    aggregate_field: ClassVar[str | None] = None
    """Name of the payload field that ``subject`` must equal, if the payload carries the id."""

    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    id: Identifier = Field(
        description="Unique event id chosen by the publisher; the gateway de-duplicates on it."
    )
    type: str = Field(pattern=EVENT_TYPE_PATTERN, description="Event type, nl.kcr.<family>.<verb>.")
    source: OrgId = Field(description="Id of the publishing organisation, e.g. 'vr19'.")
    subject: Identifier = Field(description="Id of the aggregate the event belongs to.")
    time: UtcDatetime = Field(description="When it happened at the source (RFC 3339, UTC).")
    tlp: Tlp = Field(description="Traffic Light Protocol 2.0 label; RED needs recipients.")
    correlationid: Identifier | None = Field(
        default=None, description="Id shared by every event of one conversation or crisis."
    )
    causationid: Identifier | None = Field(
        default=None, description="Id of the event that caused this one."
    )
    recipients: tuple[OrgId, ...] = Field(
        default=(), description="Named addressees, for RED and directed messages."
    )
    ingested_at: UtcDatetime | None = Field(
        default=None, description="When the gateway accepted the event (stamped by the hub)."
    )
    data: EventData = Field(description="The typed payload.")

    @field_validator("recipients", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        """Accept the CloudEvents string form ``"vr01,vr02"`` as well as a list."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _check_envelope(self) -> Self:
        if self.tlp is Tlp.RED and not self.recipients:
            raise ValueError("tlp RED needs at least one named recipient in 'recipients'")
        if len(set(self.recipients)) != len(self.recipients):
            raise ValueError(f"recipients must be unique: {', '.join(self.recipients)}")
        field = self.aggregate_field
        if field is not None and getattr(self.data, field) != self.subject:
            raise ValueError(
                f"subject {self.subject!r} must equal data.{field} "
                f"{getattr(self.data, field)!r}: the subject is the aggregate id"
            )
        return self

    @classmethod
    def declared_type(cls) -> str:
        """Return the event type this class stands for, e.g. ``nl.kcr.incident.reported``."""
        default = cls.model_fields["type"].default
        if not isinstance(default, str):
            raise TypeError(f"{cls.__name__} does not fix its event type")
        return default

    @property
    def family(self) -> str:
        """Return the family of the event type, e.g. ``incident``."""
        return self.type.split(".")[2]

    @property
    def verb(self) -> str:
        """Return the verb of the event type, e.g. ``reported``."""
        return self.type.split(".")[3]

    def with_ingested_at(self, ingested_at: datetime) -> Self:
        """Return a copy stamped with the time the gateway accepted it (converted to UTC)."""
        return self.model_copy(update={"ingested_at": to_utc(ingested_at)})
