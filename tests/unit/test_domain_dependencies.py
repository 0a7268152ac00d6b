"""The projection is given its organisations and reference data; nothing reads a global instead."""

from __future__ import annotations

from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.domain import HubProjection
from hub.domain.testing import information_requested, minutes, quiet_thresholds

QUIET = quiet_thresholds()


def _silenced(role_of: str, event_type: str) -> OrganisationRegistry:
    """The packaged registry, but ``role_of``'s role may no longer publish ``event_type``."""
    packaged = load_registry()
    name = packaged.role_of(role_of).name
    roles = [
        role.model_copy(update={"publish": tuple(p for p in role.publish if p != event_type)})
        if role.name == name
        else role
        for role in packaged.roles()
    ]
    return OrganisationRegistry(packaged.organisations(), roles)


def _forwarded(hub: HubProjection) -> int:
    """Apply the NCC's question to vr17 and tick; return how many questions went out."""
    hub.apply(information_requested("info-1", minutes(0), addressees=["vr17"]))
    return len(hub.tick(minutes(1), 0).information)


def test_the_packaged_organisations_are_the_default() -> None:
    """Without organisations given, the NCC's question is forwarded and summarised."""
    assert _forwarded(HubProjection(QUIET)) == 2


def test_the_organisations_given_decide_who_may_ask() -> None:
    """A registry in which the NCC's role may not ask makes the state ignore its question."""
    registry = _silenced("ncc", "nl.kcr.information.requested")
    assert not registry.may_publish("ncc", "nl.kcr.information.requested")
    hub = HubProjection(QUIET, organisations=registry)
    assert _forwarded(hub) == 0
    assert hub.state.information.ignored == 1
    restored = HubProjection.from_snapshot(hub.to_snapshot(), QUIET, organisations=registry)
    assert restored.state.information.organisations is registry
