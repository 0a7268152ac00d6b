"""Feasibility advice: the hub's draft for the validators, and what the requester gets.

On ``nl.kcr.advice.requested`` the hub computes what the measure needs per resource type and
sets it against live available capacity in the region, the region with its neighbours, and
the country; :class:`AdviceDrafted` goes to the validators only. When an authorised centre
validates it, :class:`AdvicePublished` carries the draft to the requester; when it rejects
it, :class:`AdviceRejectionNoted` tells the requester why. A validation or rejection from an
organisation that may not give one is answered with :class:`AdviceValidationRefused`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.contracts.events.advice import AdviceParameter
from hub.contracts.events.envelope import EventData, data_field, type_field
from hub.contracts.fields import (
    Count,
    Identifier,
    OrgId,
    RegionId,
    RequiredText,
    ShortText,
    Text,
    UtcDatetime,
)
from hub.contracts.outputs.base import HubOutput

__all__ = [
    "AdviceDraftData",
    "AdviceDrafted",
    "AdviceLine",
    "AdvicePublished",
    "AdvicePublishedData",
    "AdviceRejectionNoted",
    "AdviceRejectionNotedData",
    "AdviceValidationRefused",
    "AdviceValidationRefusedData",
    "Assessment",
    "Verdict",
]

Verdict = Literal["feasible", "feasible_with_assistance", "not_feasible", "invalid_request"]
"""The region alone suffices; neighbours or the country must help; not even the country
suffices; or the request itself is invalid (unknown measure, missing parameter, ...)."""

Assessment = Literal["sufficient", "needs_assistance", "bottleneck"]
"""Per resource type: the region has enough; only with help from outside; not enough at all."""


class AdviceLine(BaseModel):
    """Need and availability of one resource type for the measure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    resource_type: ShortText = Field(description="Resource type code.")
    unit: ShortText = Field(description="What one unit is (bed, vehicle, ...).")
    need: Count = Field(description="Units the measure needs.")
    available_region: Count = Field(description="Available in the region itself.")
    available_with_neighbours: Count = Field(
        description="Available in the region and its neighbouring regions."
    )
    available_national: Count = Field(description="Available in the whole country.")
    assessment: Assessment = Field(description="Whether the need is met, and from where.")


class AdviceDraftData(EventData):
    """The hub's draft advice on one requested measure."""

    advice_id: Identifier = Field(description="Id of the advice.")
    requester: OrgId = Field(description="Organisation that asked for the advice.")
    measure: ShortText = Field(description="Name of the measure template.")
    parameters: tuple[AdviceParameter, ...] = Field(
        default=(), description="The parameters as requested."
    )
    region: RegionId = Field(description="Region where the measure would be taken.")
    incident_id: Identifier | None = Field(default=None, description="Incident, if any.")
    verdict: Verdict = Field(description="Feasible, with assistance, not, or invalid request.")
    explanation: RequiredText = Field(description="The verdict and its reasons, in words.")
    lines: tuple[AdviceLine, ...] = Field(
        default=(), description="Per resource type the numbers behind the verdict."
    )
    bottlenecks: tuple[ShortText, ...] = Field(
        default=(), description="Resource types of which the country has less than needed."
    )
    needs_assistance: tuple[ShortText, ...] = Field(
        default=(), description="Resource types the region lacks but others can supply."
    )
    neighbours: tuple[RegionId, ...] = Field(
        default=(), description="The neighbouring regions counted in 'with neighbours'."
    )
    drafted_at: UtcDatetime = Field(description="Time of the tick the draft was computed at.")


class AdviceDrafted(HubOutput):
    """The hub's draft advice, for the validators only (TLP RED)."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.drafted"] = type_field("nl.kcr.advice.drafted")
    data: AdviceDraftData = data_field("The draft.")


class AdvicePublishedData(EventData):
    """A validated advice as the requester receives it."""

    advice_id: Identifier = Field(description="Id of the advice.")
    draft: AdviceDraftData = Field(description="The draft that was validated.")
    validated_by: OrgId = Field(description="The centre that validated it.")
    note: Text = Field(default="", description="The validator's note.")
    validated_event_id: Identifier = Field(description="Id of the validation event.")


class AdvicePublished(HubOutput):
    """A validated advice, delivered to the requester."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.published"] = type_field("nl.kcr.advice.published")
    data: AdvicePublishedData = data_field("The validated advice.")


class AdviceRejectionNotedData(EventData):
    """A rejected advice as the requester hears of it."""

    advice_id: Identifier = Field(description="Id of the advice.")
    draft: AdviceDraftData = Field(description="The draft that was rejected.")
    rejected_by: OrgId = Field(description="The centre that rejected it.")
    reason: RequiredText = Field(description="Why it was rejected.")
    rejected_event_id: Identifier = Field(description="Id of the rejection event.")


class AdviceRejectionNoted(HubOutput):
    """A validator rejected the draft advice; the requester is told why."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.rejection_noted"] = type_field("nl.kcr.advice.rejection_noted")
    data: AdviceRejectionNotedData = data_field("The rejection.")


class AdviceValidationRefusedData(EventData):
    """A validation or rejection the hub did not accept, and why."""

    advice_id: Identifier = Field(description="Id of the advice.")
    sender: OrgId = Field(description="Organisation that sent the validation or rejection.")
    attempted: Literal["validated", "rejected"] = Field(description="What it tried to do.")
    refused_event_id: Identifier = Field(description="Id of the refused event.")
    reason: RequiredText = Field(description="Why it is refused.")


class AdviceValidationRefused(HubOutput):
    """The hub ignores a validation or rejection and tells its sender."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.validation_refused"] = type_field(
        "nl.kcr.advice.validation_refused"
    )
    data: AdviceValidationRefusedData = data_field("The refusal.")
