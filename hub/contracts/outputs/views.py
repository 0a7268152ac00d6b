"""Records of the compacted view topics: the national picture, rebuilt from the log at will.

``kcr.view.situation`` holds one :class:`IncidentView` per incident (key ``incident/<id>``),
one :class:`RegionView` per safety region (key ``region/<vr..>``) and one
:class:`NationalSituationView` (key ``national``). ``kcr.view.capacity`` holds one
:class:`ResourceCapacityView` per resource type (key ``resource/<type>``). Every record carries
the time (``as_of``) and number (``tick``) of the clock tick at which it was computed.
Avro has no dict type here, so groupings are tuples of small records.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.contracts.events.incident import Severity
from hub.contracts.fields import UtcDatetime

__all__ = [
    "CAPACITY",
    "SCENARIOS",
    "SITUATION",
    "CategoryIncidents",
    "GripRegions",
    "IncidentView",
    "IncidentViewStatus",
    "IndicatorView",
    "NationalSituationView",
    "ObservedMetric",
    "OrgCapacity",
    "RegionView",
    "ResourceCapacityView",
    "ScenarioStatus",
    "ScenarioView",
    "SitrepDigest",
    "View",
]

SITUATION = "situation"
"""Kind of the situation views: topic ``kcr.view.situation``."""
CAPACITY = "capacity"
"""Kind of the capacity views: topic ``kcr.view.capacity``."""
SCENARIOS = "scenarios"
"""Kind of the scenario views: topic ``kcr.view.scenarios``."""

IncidentViewStatus = Literal[
    "active", "escalating", "contained", "under_control", "recovery", "closed"
]
"""The status of an incident in its view: the reported statuses plus 'closed'."""

ScenarioStatus = Literal["active", "invalid", "retired"]
"""Monitored; not monitored because a condition does not parse; no longer monitored."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class View(_Record):
    """Base of every view record: the tick it was computed at (abstract)."""

    as_of: UtcDatetime = Field(description="Time of the clock tick the record was computed at.")
    tick: int = Field(ge=0, description="Number of that clock tick.")

    @property
    def key(self) -> str:
        """The record's key on its compacted topic."""
        raise NotImplementedError


class SitrepDigest(_Record):
    """The latest situation report about an incident."""

    sitrep_id: str = Field(description="Id of the situation report.")
    summary: str = Field(description="The situation in a few sentences.")
    published_at: UtcDatetime = Field(description="Time of the report's event.")
    source: str = Field(description="Organisation that published it.")


class IncidentView(View):
    """One incident as the hub knows it; closed incidents stay, with status 'closed'."""

    incident_id: str = Field(description="Id of the incident.")
    category: str = Field(description="Incident category code.")
    title: str = Field(description="Short title.")
    status: IncidentViewStatus = Field(description="Where it stands; 'closed' once closed.")
    grip_level: str = Field(description="Current GRIP level code.")
    severity: Severity = Field(description="Current severity.")
    regions: tuple[str, ...] = Field(description="Safety regions affected.")
    affected_people: int = Field(ge=0, description="Latest estimate of people affected.")
    reported_by: str = Field(description="Organisation that reported it.")
    started_at: UtcDatetime = Field(description="When it started.")
    updated_at: UtcDatetime = Field(description="Time of the latest event that changed it.")
    closed_at: UtcDatetime | None = Field(default=None, description="When it was closed.")
    last_sitrep: SitrepDigest | None = Field(default=None, description="Latest sitrep on it.")

    @property
    def key(self) -> str:
        """``incident/<incident_id>``."""
        return f"incident/{self.incident_id}"


class RegionView(View):
    """One safety region: its active incidents and whether it is heard from."""

    region_id: str = Field(description="Region id, e.g. 'vr19'.")
    name: str = Field(description="Region name, e.g. 'Zeeland'.")
    active_incidents: tuple[str, ...] = Field(
        description="Ids of its active incidents, sorted; the first 500 when it has more."
    )
    active_count: int | None = Field(
        default=None,
        description="How many active incidents it has (all of them, listed or not); "
        "null in records written before this field existed.",
    )
    highest_grip: str | None = Field(
        default=None, description="Highest GRIP level code among them; null when none."
    )
    categories: tuple[str, ...] = Field(description="Categories of its active incidents.")
    affected_people: int = Field(ge=0, description="People affected by its active incidents.")
    silent: bool = Field(description="No event from the region for longer than allowed.")
    last_seen: UtcDatetime | None = Field(
        default=None, description="Time of the region's latest event; null if never seen."
    )

    @property
    def key(self) -> str:
        """``region/<region_id>``."""
        return f"region/{self.region_id}"


class GripRegions(_Record):
    """The regions whose highest active GRIP level is one level."""

    grip_level: str = Field(description="GRIP level code.")
    regions: tuple[str, ...] = Field(description="Region ids, sorted.")


class CategoryIncidents(_Record):
    """The active incidents of one category."""

    category: str = Field(description="Incident category code.")
    incidents: tuple[str, ...] = Field(
        description="Incident ids, sorted; the first 100 when the category has more."
    )
    count: int | None = Field(
        default=None,
        description="How many active incidents the category has (listed or not); null in "
        "records written before this field existed.",
    )


class NationalSituationView(View):
    """The national picture: regions by GRIP level and active incidents by category."""

    regions_by_grip: tuple[GripRegions, ...] = Field(
        description="Per GRIP level (lowest first), the regions at that highest level."
    )
    incidents_by_category: tuple[CategoryIncidents, ...] = Field(
        description="Per category (sorted), the active incidents."
    )
    total_affected: int = Field(ge=0, description="People affected by all active incidents.")
    active_incidents: int = Field(ge=0, description="Number of active incidents.")

    @property
    def key(self) -> str:
        """``national``."""
        return "national"


class OrgCapacity(_Record):
    """One organisation's part of the capacity of a resource type."""

    org_id: str = Field(description="Organisation id.")
    total: int = Field(ge=0, description="Units in total, as reported.")
    available: int = Field(ge=0, description="Units available, as reported.")
    committed: int = Field(
        ge=0, description="Units committed: as reported plus accepted assistance offers."
    )
    reported_at: UtcDatetime | None = Field(
        default=None, description="Time of its latest report; null if it never reported."
    )
    valid_until: UtcDatetime | None = Field(default=None, description="When that report expires.")
    stale: bool = Field(description="The report is expired or older than allowed.")


class ResourceCapacityView(View):
    """National capacity of one resource type; the totals count non-stale reports only."""

    resource_type: str = Field(description="Resource type code.")
    unit: str = Field(description="What one unit is (bed, vehicle, ...).")
    total: int = Field(ge=0, description="Units in total over non-stale reports.")
    available: int = Field(ge=0, description="Units available over non-stale reports.")
    committed: int = Field(ge=0, description="Units committed over non-stale entries.")
    per_organisation: tuple[OrgCapacity, ...] = Field(description="Per organisation, sorted.")
    stale_orgs: tuple[str, ...] = Field(description="Organisations whose report is stale.")

    @property
    def key(self) -> str:
        """``resource/<resource_type>``."""
        return f"resource/{self.resource_type}"


class ObservedMetric(_Record):
    """The value of one metric of a condition at the tick of the record."""

    metric: str = Field(description="The metric as written, e.g. 'capacity.available[pump]'.")
    value: float = Field(description="Its value at that tick.")


class IndicatorView(_Record):
    """One indicator of a scenario: whether its condition holds, since when, and why."""

    indicator_id: str = Field(description="Id of the indicator.")
    description: str = Field(description="What the indicator means.")
    condition: str = Field(description="The condition, as defined.")
    tripped: bool = Field(description="The condition holds at this tick.")
    since: UtcDatetime | None = Field(
        default=None, description="Tick time it last changed; null when not monitored."
    )
    observed: tuple[ObservedMetric, ...] = Field(
        default=(), description="The metrics of the condition and their values, in order."
    )


class ScenarioView(View):
    """One scenario and the state of its indicators."""

    scenario_id: str = Field(description="Id of the scenario.")
    name: str = Field(description="Short name of the scenario.")
    status: ScenarioStatus = Field(description="Active, invalid (a bad condition) or retired.")
    error: str | None = Field(
        default=None, description="Why the scenario is invalid: the indicator and the error."
    )
    defined_by: str = Field(description="Organisation that defined it.")
    indicators: tuple[IndicatorView, ...] = Field(description="Its indicators, as defined.")

    @property
    def key(self) -> str:
        """``scenario/<scenario_id>``."""
        return f"scenario/{self.scenario_id}"
