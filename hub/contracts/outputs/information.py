"""Information requests as the hub handles them: fan-out, reminders and the answers so far.

An ``nl.kcr.information.requested`` event is forwarded to each addressee (``all-regions``
expanded) with :class:`InformationForwarded`; an addressee that has not answered when most of
the time has passed gets one :class:`InformationReminded`; the requester gets an
:class:`InformationSummarised` whenever the answers (or their being overdue) change.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.contracts.events.envelope import EventData, data_field, type_field
from hub.contracts.fields import Identifier, OrgId, RequiredText, Url, UtcDatetime
from hub.contracts.outputs.base import HubOutput

__all__ = [
    "InformationAnswer",
    "InformationForwarded",
    "InformationQuestionData",
    "InformationReminded",
    "InformationSummarised",
    "InformationSummaryData",
]


class InformationQuestionData(EventData):
    """The question as one addressee receives it."""

    request_id: Identifier = Field(description="Id of the information request.")
    requester: OrgId = Field(description="Organisation that asks.")
    addressee: OrgId = Field(description="Organisation asked to answer.")
    question: RequiredText = Field(description="What the requester wants to know.")
    respond_by: UtcDatetime = Field(description="Deadline for the answer (RFC 3339).")


class InformationForwarded(HubOutput):
    """The hub forwards an information request to one addressee."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.information.forwarded"] = type_field("nl.kcr.information.forwarded")
    data: InformationQuestionData = data_field("The question.")


class InformationReminded(HubOutput):
    """The hub reminds one addressee that its answer is due soon."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.information.reminded"] = type_field("nl.kcr.information.reminded")
    data: InformationQuestionData = data_field("The question, not yet answered.")


class InformationAnswer(BaseModel):
    """The latest answer of one addressee."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    org_id: OrgId = Field(description="The addressee that answered.")
    answer: RequiredText = Field(description="The answer.")
    attachments: tuple[Url, ...] = Field(default=(), description="Supporting links.")
    answered_at: UtcDatetime = Field(description="When the hub received the answer.")
    event_id: Identifier = Field(description="Id of the answer's event.")


class InformationSummaryData(EventData):
    """Who answered an information request, who did not yet, and the answers."""

    request_id: Identifier = Field(description="Id of the information request.")
    question: RequiredText = Field(description="The question.")
    respond_by: UtcDatetime = Field(description="Deadline for the answers.")
    addressees: tuple[OrgId, ...] = Field(description="Every addressee, 'all-regions' expanded.")
    answered: tuple[InformationAnswer, ...] = Field(description="Answers so far, by addressee.")
    outstanding: tuple[OrgId, ...] = Field(description="Addressees without an answer.")
    overdue: bool = Field(description="The deadline has passed with answers outstanding.")
    observed_at: UtcDatetime = Field(description="Time of the tick that made the summary.")


class InformationSummarised(HubOutput):
    """The requester's overview of the answers to its information request."""

    aggregate_field: ClassVar[str | None] = "request_id"
    type: Literal["nl.kcr.information.summarised"] = type_field("nl.kcr.information.summarised")
    data: InformationSummaryData = data_field("The answers so far.")
