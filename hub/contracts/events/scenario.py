"""Scenario events: a scenario with indicators to monitor is defined, and later retired.

An indicator's ``condition`` is a structured condition over the views, written in the
monitoring language of the hub (see :mod:`hub.domain.conditions`); the contracts keep it as
text, and the hub reports a condition it cannot parse on the scenario's view.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import Identifier, RequiredText, ShortText, Text, check_unique

__all__ = [
    "ScenarioDefined",
    "ScenarioDefinedData",
    "ScenarioIndicator",
    "ScenarioRetired",
    "ScenarioRetiredData",
]


class ScenarioIndicator(BaseModel):
    """A condition whose truth shows the scenario is unfolding."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator_id: Identifier = Field(description="Id of the indicator, unique in the scenario.")
    description: RequiredText = Field(description="What the indicator means.")
    condition: RequiredText = Field(
        description=(
            "Condition over the hub's state in its monitoring language, e.g. "
            '"capacity.available[pump] < 10 and situation.regions_with[flood] >= 2".'
        )
    )


class ScenarioDefinedData(EventData):
    """A scenario: how a crisis may develop, and how to notice it does."""

    scenario_id: Identifier = Field(description="Id of the scenario.")
    name: ShortText = Field(description="Short name of the scenario.")
    description: Text = Field(default="", description="The scenario in words.")
    expected_developments: tuple[RequiredText, ...] = Field(
        default=(), description="Developments expected if the scenario unfolds, in order."
    )
    indicators: tuple[ScenarioIndicator, ...] = Field(
        default=(), description="Indicators to monitor, each id at most once."
    )

    @field_validator("indicators")
    @classmethod
    def _unique_ids(
        cls, indicators: tuple[ScenarioIndicator, ...]
    ) -> tuple[ScenarioIndicator, ...]:
        check_unique((i.indicator_id for i in indicators), "indicator ids")
        return indicators


class ScenarioDefined(EventEnvelope):
    """A national centre defines (or redefines) a scenario to monitor."""

    aggregate_field: ClassVar[str | None] = "scenario_id"
    type: Literal["nl.kcr.scenario.defined"] = type_field("nl.kcr.scenario.defined")
    data: ScenarioDefinedData = data_field("The scenario.")


class ScenarioRetiredData(EventData):
    """The end of monitoring a scenario."""

    scenario_id: Identifier = Field(description="Id of the scenario.")
    reason: RequiredText = Field(description="Why the scenario is retired.")


class ScenarioRetired(EventEnvelope):
    """A national centre stops monitoring a scenario."""

    aggregate_field: ClassVar[str | None] = "scenario_id"
    type: Literal["nl.kcr.scenario.retired"] = type_field("nl.kcr.scenario.retired")
    data: ScenarioRetiredData = data_field("The retirement.")
