"""The thresholds of the escalation rules, read from one TOML file.

The packaged ``hub/domain/data/escalation.toml`` holds every threshold; there are no defaults
in code, so the file is the one place to read and change them. :func:`parse_thresholds`
validates a TOML text; a bad value raises :class:`~hub.errors.ConfigurationError` naming the key
(e.g. ``grip_high.min_level``). Like the contracts, a file is checked against the packaged
organisation registry and reference data when it is read; what the rules derive from it (GRIP
ranks, the expected reporters) they derive with the registry and reference data the projection
was given.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.contracts.fields import check_grip_level, check_org_id
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.contracts.reference import ReferenceData, load_reference
from hub.domain._common import packaged_text, parse_toml_model

__all__ = [
    "THRESHOLDS_FILE",
    "AssistanceOverdueThresholds",
    "CapacityShortfallThresholds",
    "CapacityThresholds",
    "CoordinationThresholds",
    "GripHighThresholds",
    "InformationOverdueThresholds",
    "LiveStateThresholds",
    "SilentOrganisationThresholds",
    "SupraRegionalThresholds",
    "Thresholds",
    "load_thresholds",
    "parse_thresholds",
]

THRESHOLDS_FILE = "hub/domain/data/escalation.toml"
"""Where the packaged thresholds live (for messages)."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GripHighThresholds(_Section):
    """Rule ``grip_high``: an active incident at a high GRIP level."""

    min_level: str = Field(description="Lowest GRIP level code that raises a signal.")
    critical_level: str = Field(description="Lowest GRIP level code that makes it critical.")

    _codes = field_validator("min_level", "critical_level")(check_grip_level)

    @model_validator(mode="after")
    def _critical_not_below_min(self) -> Self:
        ranks = load_reference()  # the file is read against the packaged data, as contracts are
        if ranks.grip_rank(self.critical_level) < ranks.grip_rank(self.min_level):
            raise ValueError("critical_level must not rank below min_level")
        return self

    def min_rank(self, reference: ReferenceData) -> int:
        """Rank of :attr:`min_level` in ``reference``."""
        return reference.grip_rank(self.min_level)

    def critical_rank(self, reference: ReferenceData) -> int:
        """Rank of :attr:`critical_level` in ``reference``."""
        return reference.grip_rank(self.critical_level)


class SupraRegionalThresholds(_Section):
    """Rule ``supra_regional``: one category of incident in several regions at once."""

    window_hours: float = Field(gt=0, description="Most hours between the incidents' starts.")
    min_regions: int = Field(ge=2, description="Fewest distinct regions that raise a signal.")
    critical_regions: int = Field(ge=2, description="Fewest regions that make it critical.")

    @model_validator(mode="after")
    def _critical_not_below_min(self) -> Self:
        if self.critical_regions < self.min_regions:
            raise ValueError("critical_regions must not be below min_regions")
        return self

    @property
    def window(self) -> timedelta:
        """The window as a timedelta."""
        return timedelta(hours=self.window_hours)


class CapacityThresholds(_Section):
    """When a capacity report is stale."""

    max_report_age_minutes: float = Field(gt=0, description="Oldest report still fresh.")

    @property
    def max_report_age(self) -> timedelta:
        """The maximum age as a timedelta."""
        return timedelta(minutes=self.max_report_age_minutes)


class CapacityShortfallThresholds(_Section):
    """Rule ``capacity_shortfall``: little of a resource left nationally, or more asked."""

    min_available_percent: int = Field(ge=0, le=100, description="Signal under this share.")
    critical_available_percent: int = Field(ge=0, le=100, description="Critical under it.")

    @model_validator(mode="after")
    def _critical_not_above_min(self) -> Self:
        if self.critical_available_percent > self.min_available_percent:
            raise ValueError("critical_available_percent must not exceed min_available_percent")
        return self


class SilentOrganisationThresholds(_Section):
    """Rule ``silent_organisation``: an expected reporter that has gone quiet."""

    max_silence_minutes: float = Field(gt=0, description="Longest allowed silence.")
    critical_silence_minutes: float = Field(gt=0, description="Silence that makes it critical.")
    expected_partners: tuple[str, ...] = Field(
        description="National partners expected to report, besides every safety region."
    )

    @field_validator("expected_partners")
    @classmethod
    def _known_partners(cls, partners: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_org_id(partner) for partner in partners)

    @model_validator(mode="after")
    def _critical_not_below_max(self) -> Self:
        if self.critical_silence_minutes < self.max_silence_minutes:
            raise ValueError("critical_silence_minutes must not be below max_silence_minutes")
        return self

    @property
    def max_silence(self) -> timedelta:
        """The longest allowed silence as a timedelta."""
        return timedelta(minutes=self.max_silence_minutes)

    @property
    def critical_silence(self) -> timedelta:
        """The critical silence as a timedelta."""
        return timedelta(minutes=self.critical_silence_minutes)

    def expected(self, organisations: OrganisationRegistry | None = None) -> tuple[str, ...]:
        """Return the expected reporters: every region, then the partners, without repeats.

        The regions are those of ``organisations``; the rules pass the projection's. Without
        it (callers outside the projection, e.g. ``kcr demo``) the packaged registry's.
        """
        registry = organisations or load_registry()
        return tuple(dict.fromkeys((*registry.region_ids(), *self.expected_partners)))


class _GraceThresholds(_Section):
    grace_minutes: float = Field(ge=0, description="Minutes allowed after the deadline.")

    @property
    def grace(self) -> timedelta:
        """The grace period as a timedelta."""
        return timedelta(minutes=self.grace_minutes)


class AssistanceOverdueThresholds(_GraceThresholds):
    """Rule ``assistance_overdue``: a request not fulfilled by its ``needed_by``."""

    notify: tuple[str, ...] = Field(
        description="Organisations the signal is addressed to (besides the requester)."
    )

    @field_validator("notify")
    @classmethod
    def _known_orgs(cls, orgs: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_org_id(org) for org in orgs)


class CoordinationThresholds(_GraceThresholds):
    """Rule ``coordination_unacknowledged``: a request not acknowledged by ``respond_by``."""


class InformationOverdueThresholds(_GraceThresholds):
    """Rule ``information_overdue``: addressees that did not answer by ``respond_by``."""


class LiveStateThresholds(_Section):
    """How long finished work stays in the processors' live state (the log keeps it forever)."""

    closed_grace_minutes: float = Field(
        ge=0, description="A closed incident leaves the live state (and its view) after this."
    )
    finished_grace_minutes: float = Field(
        default=1440,  # files written before it existed get a day, as the packaged file
        ge=0,
        description="A finished request (assistance, information, advice, coordination) "
        "leaves the live state this long after the first tick that saw it finished.",
    )

    max_open_minutes: float = Field(
        default=10080,  # files written before it existed get a week, as the packaged file
        gt=0,
        description="Work the domain gives no end (an advice request without needed_by that "
        "is never decided) expires this long after the tick that first handled it.",
    )

    @property
    def closed_grace(self) -> timedelta:
        """:attr:`closed_grace_minutes` as a timedelta."""
        return timedelta(minutes=self.closed_grace_minutes)

    @property
    def finished_grace(self) -> timedelta:
        """:attr:`finished_grace_minutes` as a timedelta."""
        return timedelta(minutes=self.finished_grace_minutes)

    @property
    def max_open(self) -> timedelta:
        """:attr:`max_open_minutes` as a timedelta."""
        return timedelta(minutes=self.max_open_minutes)


_DEFAULT_LIVE_STATE = LiveStateThresholds(
    closed_grace_minutes=1440, finished_grace_minutes=1440, max_open_minutes=10080
)
"""For escalation files written before ``[live_state]`` existed: a day, as the packaged file."""


class Thresholds(_Section):
    """Every threshold of the escalation rules, one section per rule (plus ``capacity``).

    ``live_state`` may be left out of a file (files older than it): it then takes the packaged
    file's value.
    """

    grip_high: GripHighThresholds
    supra_regional: SupraRegionalThresholds
    capacity: CapacityThresholds
    capacity_shortfall: CapacityShortfallThresholds
    silent_organisation: SilentOrganisationThresholds
    assistance_overdue: AssistanceOverdueThresholds
    coordination_unacknowledged: CoordinationThresholds
    information_overdue: InformationOverdueThresholds
    live_state: LiveStateThresholds = _DEFAULT_LIVE_STATE

    def replace(self, section: str, **values: Any) -> Thresholds:
        """Return a copy with ``values`` changed in ``section`` (validated again)."""
        document = self.model_dump()
        document[section] = {**document[section], **values}
        return Thresholds.model_validate(document)


def parse_thresholds(text: str, *, source: str = THRESHOLDS_FILE) -> Thresholds:
    """Validate a TOML text into :class:`Thresholds`; a bad key raises ConfigurationError."""
    return parse_toml_model(Thresholds, text, source)


@cache
def load_thresholds() -> Thresholds:
    """Return the packaged thresholds (read once, then cached)."""
    return parse_thresholds(packaged_text("escalation.toml"))
