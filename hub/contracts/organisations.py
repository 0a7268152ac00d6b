"""The organisation registry: who takes part in the hub, in which role, and where.

Organisations and roles are data (``data/organisations.json`` and ``data/roles.json``). An
organisation's role fixes which event types it may publish and which topics it may read besides
its own outbox; the broker ACLs and the gateway both derive from this registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import cache
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hub.contracts._data import read_json
from hub.contracts.errors import MissingCentre, RegistryError, UnknownOrganisation, UnknownRole
from hub.contracts.geo import GeoPoint, haversine_km

__all__ = [
    "ALL_REGIONS",
    "ORG_ID_PATTERN",
    "Organisation",
    "OrganisationKind",
    "OrganisationRegistry",
    "Role",
    "load_registry",
]

ORG_ID_PATTERN = r"^[a-z][a-z0-9-]{1,30}$"
"""Organisation ids are safe in topic names such as ``kcr.ingress.<org>``."""

ALL_REGIONS = "all-regions"
"""Address group meaning every safety region, usable where events name addressees."""

_OrgIdText = Annotated[str, StringConstraints(pattern=ORG_ID_PATTERN)]


class OrganisationKind(StrEnum):
    """What kind of body an organisation is (its role, not its kind, fixes its rights)."""

    REGION = "region"
    NATIONAL_CENTRE = "national_centre"
    MINISTRY = "ministry"
    POLICE = "police"
    DEFENCE = "defence"
    AGENCY = "agency"
    WATER_BOARD = "water_board"
    ANALYSTS = "analysts"
    HUB = "hub"


class Organisation(BaseModel):
    """One organisation that publishes to or reads from the hub."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _OrgIdText = Field(description="Organisation id, e.g. 'vr19' or 'ncc'.")
    name: str = Field(min_length=1, description="Official name, e.g. 'Zeeland'.")
    kind: OrganisationKind = Field(description="What kind of body this is.")
    role: str = Field(min_length=1, description="Name of the role that fixes its rights.")
    neighbours: tuple[_OrgIdText, ...] = Field(
        default=(), description="Ids of the regions that share a land or bridge border."
    )
    centre: GeoPoint | None = Field(default=None, description="Approximate centre point.")

    @property
    def is_region(self) -> bool:
        """Whether this organisation is a safety region."""
        return self.kind is OrganisationKind.REGION


class Role(BaseModel):
    """What the organisations of one role may publish and read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, description="Role name, e.g. 'region'.")
    description: str = Field(default="", description="What organisations in this role do.")
    publish: tuple[str, ...] = Field(
        default=(), description="fnmatch patterns of the event types this role may publish."
    )
    read: tuple[str, ...] = Field(
        default=(), description="fnmatch patterns of topics readable besides the own outbox."
    )
    may_change_others: tuple[str, ...] = Field(
        default=(),
        description=(
            "fnmatch patterns of the event types this role may send about aggregates another "
            "organisation owns (default none: only the owner changes its aggregates)."
        ),
    )

    def may_publish(self, event_type: str) -> bool:
        """Whether this role may publish events of ``event_type``."""
        return any(fnmatchcase(event_type, pattern) for pattern in self.publish)

    def may_read(self, topic: str) -> bool:
        """Whether this role grants reading ``topic`` (the own outbox is always readable)."""
        return any(fnmatchcase(topic, pattern) for pattern in self.read)

    def may_change_owned_by_others(self, event_type: str) -> bool:
        """Whether this role may send ``event_type`` about another organisation's aggregate."""
        return any(fnmatchcase(event_type, pattern) for pattern in self.may_change_others)


class OrganisationRegistry:
    """The organisations and roles, checked for consistency when built."""

    def __init__(self, organisations: Iterable[Organisation], roles: Iterable[Role]) -> None:
        """Index ``organisations`` and ``roles``; raise :class:`RegistryError` if inconsistent."""
        orgs = tuple(organisations)
        role_list = tuple(roles)
        self._orgs: Mapping[str, Organisation] = MappingProxyType({o.id: o for o in orgs})
        self._roles: Mapping[str, Role] = MappingProxyType({r.name: r for r in role_list})
        self._distances: dict[tuple[str, str], float] = {}  # the centres never move: computed once
        problems = _duplicates("organisation", [o.id for o in orgs])
        problems += _duplicates("role", [r.name for r in role_list])
        problems += self._reference_problems()
        if problems:
            raise RegistryError(problems)

    def _reference_problems(self) -> list[str]:
        problems: list[str] = []
        for org in self._orgs.values():
            if org.role not in self._roles:
                problems.append(f"{org.id} has unknown role {org.role!r}")
            for other in org.neighbours:
                neighbour = self._orgs.get(other)
                if neighbour is None or not neighbour.is_region or not org.is_region:
                    problems.append(f"{org.id} lists {other!r}, which is not a neighbouring region")
                elif org.id not in neighbour.neighbours:
                    problems.append(f"{org.id} lists {other} as neighbour but not vice versa")
        return problems

    def __contains__(self, org_id: object) -> bool:
        """Whether ``org_id`` is a known organisation id."""
        return org_id in self._orgs

    def __len__(self) -> int:
        """Return the number of organisations."""
        return len(self._orgs)

    def get(self, org_id: str) -> Organisation:
        """Return organisation ``org_id``; raise :class:`UnknownOrganisation` if unknown."""
        try:
            return self._orgs[org_id]
        except KeyError:
            raise UnknownOrganisation(org_id, self.ids()) from None

    def ids(self) -> tuple[str, ...]:
        """Return every organisation id, regions first, in registry order."""
        return tuple(self._orgs)

    def organisations(self) -> tuple[Organisation, ...]:
        """Return every organisation in registry order."""
        return tuple(self._orgs.values())

    def regions(self) -> tuple[Organisation, ...]:
        """Return the safety regions, vr01 to vr25."""
        return tuple(org for org in self._orgs.values() if org.is_region)

    def region_ids(self) -> tuple[str, ...]:
        """Return the ids of the safety regions, vr01 to vr25."""
        return tuple(org.id for org in self.regions())

    def is_region(self, org_id: str) -> bool:
        """Whether ``org_id`` is a known safety region."""
        org = self._orgs.get(org_id)
        return org is not None and org.is_region

    def roles(self) -> tuple[Role, ...]:
        """Return every role in registry order."""
        return tuple(self._roles.values())

    def role(self, name: str) -> Role:
        """Return role ``name``; raise :class:`UnknownRole` if unknown."""
        try:
            return self._roles[name]
        except KeyError:
            raise UnknownRole(name, self._roles) from None

    def role_of(self, org_id: str) -> Role:
        """Return the role of organisation ``org_id``."""
        return self.role(self.get(org_id).role)

    def may_publish(self, org_id: str, event_type: str) -> bool:
        """Whether organisation ``org_id`` may publish events of ``event_type``."""
        return self.role_of(org_id).may_publish(event_type)

    def may_read(self, org_id: str, topic: str) -> bool:
        """Whether ``org_id`` may read ``topic``: its own outbox, or what its role grants."""
        return topic == f"kcr.outbox.{org_id}" or self.role_of(org_id).may_read(topic)

    def neighbours(self, org_id: str) -> tuple[Organisation, ...]:
        """Return the regions that border region ``org_id`` (empty for other organisations)."""
        return tuple(self._orgs[other] for other in self.get(org_id).neighbours)

    def distance_km(self, a: str, b: str) -> float:
        """Return the great-circle distance in km between the centres of ``a`` and ``b``."""
        distance = self._distances.get((a, b))
        if distance is None:
            distance = self._distances[a, b] = haversine_km(self._centre(a), self._centre(b))
        return distance

    def _centre(self, org_id: str) -> GeoPoint:
        centre = self.get(org_id).centre
        if centre is None:
            raise MissingCentre(org_id)
        return centre


def _duplicates(what: str, ids: list[str]) -> list[str]:
    counts = Counter(ids)
    return [f"duplicate {what} id {i!r}" for i in sorted(counts) if counts[i] > 1]


@cache
def load_registry() -> OrganisationRegistry:
    """Return the packaged organisation registry (read once, then cached)."""
    orgs = read_json("organisations.json")["organisations"]
    roles = read_json("roles.json")["roles"]
    return OrganisationRegistry(
        (Organisation.model_validate(org) for org in orgs),
        (Role.model_validate(role) for role in roles),
    )
