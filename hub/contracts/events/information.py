"""Information events: a question to named partners (or all regions) and their answers."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, field_validator, model_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, Tlp, data_field, type_field
from hub.contracts.fields import (
    Addressee,
    Identifier,
    RequiredText,
    Url,
    UtcDatetime,
    check_unique,
)

__all__ = [
    "InformationProvided",
    "InformationProvidedData",
    "InformationRequested",
    "InformationRequestedData",
]


class InformationRequestedData(EventData):
    """A question that the addressees must answer before a deadline."""

    request_id: Identifier = Field(description="Id of the request.")
    question: RequiredText = Field(description="What the requester wants to know.")
    addressees: tuple[Addressee, ...] = Field(
        min_length=1, description="Organisation ids, or 'all-regions' for every safety region."
    )
    respond_by: UtcDatetime = Field(description="Deadline for the answers (RFC 3339).")

    @field_validator("addressees")
    @classmethod
    def _unique_addressees(cls, addressees: tuple[str, ...]) -> tuple[str, ...]:
        check_unique(addressees, "addressees")
        return addressees


class InformationRequested(EventEnvelope):
    """A national partner asks other partners for information."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.information.requested"] = type_field("nl.kcr.information.requested")
    data: InformationRequestedData = data_field("The question.")

    @model_validator(mode="after")
    def _red_names_its_addressees(self) -> Self:
        """A RED question may go only to its named recipients: each addressee must be one."""
        if self.tlp is not Tlp.RED:
            return self
        unnamed = [a for a in self.data.addressees if a not in self.recipients]
        if unnamed:
            raise ValueError(
                f"data.addressees {', '.join(unnamed)} are not in recipients: a RED request "
                "goes only to its named recipients. Fix: add them to recipients (name each "
                "region instead of 'all-regions'), or choose a wider label"
            )
        return self


class InformationProvidedData(EventData):
    """An answer to an information request."""

    request_id: Identifier = Field(description="Id of the request answered.")
    answer: RequiredText = Field(description="The answer.")
    attachments: tuple[Url, ...] = Field(
        default=(), description="Links (http or https) to documents that support the answer."
    )


class InformationProvided(EventEnvelope):
    """A partner answers an information request."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.information.provided"] = type_field("nl.kcr.information.provided")
    data: InformationProvidedData = data_field("The answer.")
