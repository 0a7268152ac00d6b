"""The settings of the hub's workflows, read from one TOML file (``data/workflows.toml``).

Like the escalation thresholds there are no defaults in code: the packaged file is the one
place to read and change them. A bad value raises :class:`~hub.errors.ConfigurationError`
naming its key (e.g. ``assistance.max_candidates``). Like the contracts, a file is checked
against the packaged organisation registry when it is read; who validates advice is looked up
in the registry the projection was given.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.contracts.events.envelope import Tlp
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.domain._common import packaged_text, parse_toml_model

__all__ = [
    "WORKFLOWS_FILE",
    "AdviceSettings",
    "AssistanceSettings",
    "InformationSettings",
    "RoutingSettings",
    "WorkflowSettings",
    "load_workflow_settings",
    "parse_workflow_settings",
]

WORKFLOWS_FILE = "hub/domain/data/workflows.toml"
"""Where the packaged workflow settings live (for messages)."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AssistanceSettings(_Section):
    """How candidates for an assistance request are asked."""

    max_candidates: int = Field(ge=1, le=100, description="Candidates awaiting an answer.")
    response_minutes: float = Field(gt=0, description="Time a candidate has to answer.")

    @property
    def response_window(self) -> timedelta:
        """The time a candidate has to answer, as a timedelta."""
        return timedelta(minutes=self.response_minutes)


class InformationSettings(_Section):
    """When addressees of an information request are reminded."""

    reminder_fraction: float = Field(gt=0, lt=1, description="Share of the time passed.")


class AdviceSettings(_Section):
    """Who validates advice."""

    validator_role: str = Field(description="Role whose organisations validate advice.")

    @field_validator("validator_role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        registry = load_registry()  # the file is read against the packaged data, as contracts are
        if role not in {r.name for r in registry.roles()}:
            raise ValueError(f"unknown role {role!r}")
        return role

    def validators(self, organisations: OrganisationRegistry) -> tuple[str, ...]:
        """Return the ids of the organisations that may validate advice, in registry order."""
        return tuple(o.id for o in organisations.organisations() if o.role == self.validator_role)


class RoutingSettings(_Section):
    """How the router treats records without a TLP label of their own."""

    view_tlp: Tlp = Field(description="TLP of the view records.")


class WorkflowSettings(_Section):
    """Every workflow setting, one section per workflow."""

    assistance: AssistanceSettings
    information: InformationSettings
    advice: AdviceSettings
    routing: RoutingSettings

    def replace(self, section: str, **values: Any) -> WorkflowSettings:
        """Return a copy with ``values`` changed in ``section`` (validated again)."""
        document = self.model_dump()
        document[section] = {**document[section], **values}
        return WorkflowSettings.model_validate(document)


def parse_workflow_settings(text: str, *, source: str = WORKFLOWS_FILE) -> WorkflowSettings:
    """Validate a TOML text into :class:`WorkflowSettings`; a bad key raises ConfigurationError."""
    return parse_toml_model(WorkflowSettings, text, source)


@cache
def load_workflow_settings() -> WorkflowSettings:
    """Return the packaged workflow settings (read once, then cached)."""
    return parse_workflow_settings(packaged_text("workflows.toml"))
