"""What an organisation sees on the dashboard and whether it may decide on advice."""

from __future__ import annotations

import pytest

from hub.contracts.organisations import load_registry
from hub.dashboard.access import require_action, viewer_of
from hub.dashboard.errors import Forbidden, NotSignedIn
from hub.topics.declaration import TopicNames

NAMES = TopicNames("test")


@pytest.mark.parametrize("org", ["ncc", "locc"])
def test_national_centres_may_validate_and_reject(org: str) -> None:
    """The NCC and the LOCC get the validate and reject buttons."""
    viewer = viewer_of(org, load_registry(), NAMES)
    assert (viewer.may_validate, viewer.may_reject) == (True, True)
    assert require_action(viewer, "validate") == "nl.kcr.advice.validated"
    assert require_action(viewer, "reject") == "nl.kcr.advice.rejected"


@pytest.mark.parametrize("org", ["vr17", "min-jenv", "rijkswaterstaat"])
def test_others_may_not(org: str) -> None:
    """Regions, ministries and agencies may neither validate nor reject advice."""
    viewer = viewer_of(org, load_registry(), NAMES)
    assert not viewer.may_validate
    assert not viewer.may_reject
    with pytest.raises(Forbidden):
        require_action(viewer, "validate")
    with pytest.raises(Forbidden):
        require_action(viewer, "reject")


@pytest.mark.parametrize("org", ["ncc", "vr17", "min-jenv"])
def test_each_organisation_sees_only_its_own_outbox(org: str) -> None:
    """The one topic a viewer follows is its own outbox, where the router applied TLP."""
    assert viewer_of(org, load_registry(), NAMES).topic == f"test.outbox.{org}"


@pytest.mark.parametrize("org", ["hub", "nobody"])
def test_the_hub_and_unknown_organisations_have_no_dashboard(org: str) -> None:
    """The hub has no outbox and an unknown id is no organisation: both are refused."""
    with pytest.raises(NotSignedIn):
        viewer_of(org, load_registry(), NAMES)
