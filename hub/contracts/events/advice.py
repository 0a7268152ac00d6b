"""Advice events: a measure is proposed, checked against capacity, then validated or rejected.

A partner requests advice on a measure (a named template with numeric parameters); the hub
drafts the advice from live capacity; an authorised centre validates or rejects it.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import Identifier, RegionId, RequiredText, Text, UtcDatetime, check_unique

__all__ = [
    "AdviceParameter",
    "AdviceRejected",
    "AdviceRejectedData",
    "AdviceRequested",
    "AdviceRequestedData",
    "AdviceValidated",
    "AdviceValidatedData",
]

_TemplateName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")
]


class AdviceParameter(BaseModel):
    """One numeric parameter of a measure, e.g. ``people = 12000``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: _TemplateName = Field(description="Parameter name, e.g. 'people'.")
    value: float = Field(allow_inf_nan=False, description="Parameter value (finite number).")


class AdviceRequestedData(EventData):
    """A request for advice on the feasibility of a measure."""

    advice_id: Identifier = Field(description="Id of the advice.")
    measure: _TemplateName = Field(
        description="Name of the measure template, e.g. 'evacuate_area'."
    )
    parameters: tuple[AdviceParameter, ...] = Field(
        default=(), description="Parameters of the measure, each name at most once."
    )
    region: RegionId = Field(description="Region where the measure would be taken.")
    incident_id: Identifier | None = Field(
        default=None, description="Incident the measure is for, if any."
    )
    needed_by: UtcDatetime | None = Field(
        default=None, description="When the advice is needed (RFC 3339)."
    )

    @field_validator("parameters")
    @classmethod
    def _unique_names(cls, parameters: tuple[AdviceParameter, ...]) -> tuple[AdviceParameter, ...]:
        check_unique((p.name for p in parameters), "parameter names")
        return parameters


class AdviceRequested(EventEnvelope):
    """A partner asks for advice on a measure."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.requested"] = type_field("nl.kcr.advice.requested")
    data: AdviceRequestedData = data_field("The request for advice.")


class AdviceValidatedData(EventData):
    """The validation of a drafted advice."""

    advice_id: Identifier = Field(description="Id of the advice.")
    note: Text = Field(default="", description="The validator's note.")


class AdviceValidated(EventEnvelope):
    """An authorised centre validates a drafted advice, so it is published."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.validated"] = type_field("nl.kcr.advice.validated")
    data: AdviceValidatedData = data_field("The validation.")


class AdviceRejectedData(EventData):
    """The rejection of a drafted advice."""

    advice_id: Identifier = Field(description="Id of the advice.")
    reason: RequiredText = Field(description="Why the advice is rejected.")


class AdviceRejected(EventEnvelope):
    """An authorised centre rejects a drafted advice."""

    aggregate_field: ClassVar[str | None] = "advice_id"
    type: Literal["nl.kcr.advice.rejected"] = type_field("nl.kcr.advice.rejected")
    data: AdviceRejectedData = data_field("The rejection.")
