"""The CAP mapping tables (``data/cap_mapping.json``), validated against the reference data.

The tables say how CAP categories, events, severities and scopes become hub values and back;
see the file itself for the values. Loading checks every hub code against the reference data,
so a typo in the tables fails at start-up, not on the first alert.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import IncidentStatus, Severity
from hub.contracts.fields import check_category, check_grip_level

__all__ = ["CAP_CATEGORIES", "CapTables", "load_tables"]

CAP_CATEGORIES = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
)
"""The categories CAP 1.2 defines."""

_Category = Annotated[str, AfterValidator(check_category)]
_Grip = Annotated[str, AfterValidator(check_grip_level)]


class CapTables(BaseModel):
    """The mapping between CAP values and hub values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_code_name: str = Field(description="eventCode valueName carrying a hub category.")
    event_keywords: tuple[tuple[str, _Category], ...] = Field(
        description="(word start, category) pairs tried in order on event and headline."
    )
    categories: dict[str, _Category] = Field(description="CAP category → hub category.")
    cap_categories: dict[_Category, str] = Field(description="Hub category → CAP category.")
    severities: dict[str, Severity] = Field(description="CAP severity → hub severity.")
    severity_by_urgency: dict[str, Severity] = Field(
        description="Hub severity from CAP urgency when CAP severity is Unknown."
    )
    certainties_lowering_severity: tuple[str, ...] = Field(
        description="CAP certainties that lower the severity one step."
    )
    grip_parameter_name: str = Field(description="CAP parameter valueName carrying GRIP.")
    grip_by_severity: dict[Severity, _Grip] = Field(description="Default GRIP per severity.")
    update_status_by_response_type: dict[str, IncidentStatus] = Field(
        description="Incident status of an Update from its first matching CAP responseType."
    )
    update_status_default: IncidentStatus = Field(description="Status of any other Update.")
    tlp_by_scope: dict[str, Tlp] = Field(description="CAP scope → TLP label.")
    region_geocode_names: tuple[str, ...] = Field(
        min_length=1, description="geocode valueNames whose values name regions (vr19, VR19)."
    )
    national_area_names: tuple[str, ...] = Field(
        description="areaDesc values (lower case) that mean every safety region."
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [c for c in CAP_CATEGORIES if c not in self.categories]
        missing += [c for c in self.cap_categories.values() if c not in CAP_CATEGORIES]
        missing += [s.value for s in Severity if s not in self.grip_by_severity]
        if missing:
            raise ValueError(f"incomplete or unknown entries: {', '.join(missing)}")
        return self


@cache
def load_tables() -> CapTables:
    """Return the packaged CAP mapping tables (read once, then cached)."""
    text = resources.files("connectors.cap").joinpath("data", "cap_mapping.json").read_text("utf-8")
    document = {k: v for k, v in json.loads(text).items() if not k.startswith("$")}
    return CapTables.model_validate(document)
