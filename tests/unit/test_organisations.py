"""The organisation registry: the 25 regions, their borders, the partners and their roles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hub.contracts.errors import MissingCentre, RegistryError, UnknownOrganisation, UnknownRole
from hub.contracts.organisations import (
    ORG_ID_PATTERN,
    Organisation,
    OrganisationKind,
    OrganisationRegistry,
    Role,
    load_registry,
)
from hub.errors import HubError

REGION_NAMES = {
    "vr01": "Groningen",
    "vr02": "Fryslân",
    "vr03": "Drenthe",
    "vr04": "IJsselland",
    "vr05": "Twente",
    "vr06": "Noord- en Oost-Gelderland",
    "vr07": "Gelderland-Midden",
    "vr08": "Gelderland-Zuid",
    "vr09": "Utrecht",
    "vr10": "Noord-Holland Noord",
    "vr11": "Zaanstreek-Waterland",
    "vr12": "Kennemerland",
    "vr13": "Amsterdam-Amstelland",
    "vr14": "Gooi en Vechtstreek",
    "vr15": "Haaglanden",
    "vr16": "Hollands Midden",
    "vr17": "Rotterdam-Rijnmond",
    "vr18": "Zuid-Holland Zuid",
    "vr19": "Zeeland",
    "vr20": "Midden- en West-Brabant",
    "vr21": "Brabant-Noord",
    "vr22": "Brabant-Zuidoost",
    "vr23": "Limburg-Noord",
    "vr24": "Zuid-Limburg",
    "vr25": "Flevoland",
}

PARTNER_ROLES = {
    "ncc": "national_centre",
    "locc": "national_centre",
    "min-jenv": "ministry",
    "min-bzk": "ministry",
    "min-ienw": "ministry",
    "min-vws": "ministry",
    "min-def": "ministry",
    "police": "agency",
    "defence": "agency",
    "rijkswaterstaat": "agency",
    "rivm": "agency",
    "knmi": "agency",
    "lcps": "agency",
    "wb-scheldestromen": "agency",
    "wb-hollandse-delta": "agency",
    "wb-rivierenland": "agency",
    "analysts": "analyst",
    "hub": "hub",
}


def test_there_are_25_regions_with_their_official_names() -> None:
    """vr01..vr25 exist in order, with the official names, kind and role 'region'."""
    regions = load_registry().regions()
    assert {org.id: org.name for org in regions} == REGION_NAMES
    assert [org.id for org in regions] == sorted(REGION_NAMES)
    assert {(org.kind, org.role) for org in regions} == {(OrganisationKind.REGION, "region")}


def test_every_region_has_a_centre_in_the_netherlands() -> None:
    """Each region's centre lies inside the bounding box of the European Netherlands."""
    for org in load_registry().regions():
        assert org.centre is not None
        assert 50.7 < org.centre.lat < 53.6, org.id
        assert 3.3 < org.centre.lon < 7.3, org.id


def test_national_partners_have_their_roles() -> None:
    """The national partners exist with the roles that fix their rights."""
    registry = load_registry()
    assert {org_id: registry.get(org_id).role for org_id in PARTNER_ROLES} == PARTNER_ROLES
    assert set(registry.ids()) == set(REGION_NAMES) | set(PARTNER_ROLES)


def test_org_ids_are_safe_in_topic_names() -> None:
    """Every organisation id matches the pattern used in kcr.ingress.<org>."""
    assert all(re.fullmatch(ORG_ID_PATTERN, org_id) for org_id in load_registry().ids())


def test_neighbours_exist_and_are_symmetric_in_the_data_file(repo: Path) -> None:
    """In organisations.json every neighbour is a region that lists the region back."""
    path = repo / "hub" / "contracts" / "data" / "organisations.json"
    orgs = {org["id"]: org for org in json.loads(path.read_text(encoding="utf-8"))["organisations"]}
    for org_id, org in orgs.items():
        for other in org["neighbours"]:
            assert other in orgs, f"{org_id} lists unknown {other}"
            assert org_id in orgs[other]["neighbours"], f"{org_id}-{other} is one-sided"
            assert other != org_id


def test_every_region_has_a_neighbour_and_partners_have_none() -> None:
    """Regions all border another region; national partners border nobody."""
    registry = load_registry()
    for org in registry.organisations():
        assert bool(org.neighbours) == org.is_region, org.id


@pytest.mark.parametrize(
    ("region", "neighbours"),
    [
        ("vr19", {"vr17", "vr20"}),
        ("vr24", {"vr23"}),
        ("vr25", {"vr02", "vr04", "vr06", "vr07", "vr13", "vr14"}),
        ("vr15", {"vr16", "vr17"}),
        ("vr01", {"vr02", "vr03"}),
    ],
)
def test_borders_follow_the_map(region: str, neighbours: set[str]) -> None:
    """Spot checks of the geography: Zeeland, Zuid-Limburg, Flevoland, Haaglanden, Groningen."""
    assert {org.id for org in load_registry().neighbours(region)} == neighbours


@pytest.mark.parametrize(
    ("org_id", "event_type", "allowed"),
    [
        ("vr19", "nl.kcr.incident.reported", True),
        ("vr19", "nl.kcr.assistance.requested", True),
        ("vr19", "nl.kcr.information.requested", False),
        ("vr19", "nl.kcr.advice.validated", False),
        ("vr19", "nl.kcr.scenario.defined", False),
        ("ncc", "nl.kcr.scenario.defined", True),
        ("locc", "nl.kcr.advice.validated", True),
        ("ncc", "nl.kcr.capacity.reported", True),
        ("min-vws", "nl.kcr.information.requested", True),
        ("min-vws", "nl.kcr.incident.reported", False),
        ("rijkswaterstaat", "nl.kcr.incident.updated", True),
        ("rijkswaterstaat", "nl.kcr.assistance.requested", False),
        ("analysts", "nl.kcr.heartbeat.sent", True),
        ("analysts", "nl.kcr.sitrep.published", False),
        ("hub", "nl.kcr.clock.ticked", True),
        ("vr19", "nl.kcr.clock.ticked", False),
    ],
)
def test_roles_grant_and_deny_publishing(org_id: str, event_type: str, allowed: bool) -> None:
    """An organisation may publish exactly what its role's patterns allow."""
    assert load_registry().may_publish(org_id, event_type) is allowed


@pytest.mark.parametrize(
    ("org_id", "topic", "allowed"),
    [
        ("vr19", "kcr.outbox.vr19", True),
        ("vr19", "kcr.outbox.vr20", False),
        ("vr19", "kcr.view.capacity", False),
        ("ncc", "kcr.view.capacity", True),
        ("locc", "kcr.signal.escalation", True),
        ("ncc", "kcr.coordination", True),
        ("ncc", "kcr.log.incident", False),
        ("analysts", "kcr.log.incident", True),
        ("min-bzk", "kcr.view.situation", False),
    ],
)
def test_roles_grant_and_deny_reading(org_id: str, topic: str, allowed: bool) -> None:
    """An organisation reads its own outbox plus what its role grants, nothing else."""
    assert load_registry().may_read(org_id, topic) is allowed


def test_unknown_organisation_names_it_and_says_where_to_find_ids() -> None:
    """The error names the bad id, lists the known ids and how to look them up."""
    with pytest.raises(UnknownOrganisation) as info:
        load_registry().get("vr26")
    message = str(info.value)
    assert "'vr26'" in message
    assert "vr01" in message
    assert "ncc" in message
    assert "organisations.json" in message
    assert "load_registry().ids()" in message
    assert isinstance(info.value, HubError)
    assert isinstance(info.value, LookupError)
    assert info.value.org_id == "vr26"


def test_unknown_organisation_is_unknown_everywhere() -> None:
    """role_of, may_publish and neighbours refuse an unknown id the same way."""
    registry = load_registry()
    assert "vr26" not in registry
    for call in (registry.role_of, registry.neighbours):
        with pytest.raises(UnknownOrganisation):
            call("vr26")
    with pytest.raises(UnknownOrganisation):
        registry.may_publish("vr26", "nl.kcr.incident.reported")


def test_unknown_role_lists_the_known_roles() -> None:
    """Asking for a role that does not exist names it and the roles that do."""
    with pytest.raises(UnknownRole, match=r"'mayor'.*region, national_centre"):
        load_registry().role("mayor")


def test_distance_between_region_centres() -> None:
    """Distances are great-circle kilometres between centres, symmetric and zero to oneself."""
    registry = load_registry()
    assert 140 < registry.distance_km("vr19", "vr24") < 170
    assert registry.distance_km("vr19", "vr24") == registry.distance_km("vr24", "vr19")
    assert registry.distance_km("vr09", "vr09") == 0
    assert registry.distance_km("vr13", "vr14") < registry.distance_km("vr13", "vr01")


def test_distance_needs_a_centre() -> None:
    """An organisation without a centre has no distance, and the error says so."""
    with pytest.raises(MissingCentre, match="'police' has no centre"):
        load_registry().distance_km("vr01", "police")


def test_registry_refuses_inconsistent_data() -> None:
    """Duplicates, unknown roles and one-sided borders are all reported at once."""
    role = Role(name="region", publish=("nl.kcr.*",))
    orgs = [
        Organisation(id="vr01", name="A", kind="region", role="region", neighbours=("vr02",)),
        Organisation(id="vr02", name="B", kind="region", role="region"),
        Organisation(id="vr02", name="C", kind="region", role="mayor"),
        Organisation(
            id="ncc", name="D", kind="national_centre", role="region", neighbours=("vr01",)
        ),
    ]
    with pytest.raises(RegistryError) as info:
        OrganisationRegistry(orgs, [role])
    problems = " | ".join(info.value.problems)
    assert "duplicate organisation id 'vr02'" in problems
    assert "vr02 has unknown role 'mayor'" in problems
    assert "vr01 lists vr02 as neighbour but not vice versa" in problems
    assert "ncc lists 'vr01', which is not a neighbouring region" in problems


def test_load_registry_reads_once() -> None:
    """The packaged registry is read once and then shared."""
    assert load_registry() is load_registry()
    assert len(load_registry()) == 43
