"""Feasibility advice: template arithmetic, three levels of capacity, verdicts, validation."""

from __future__ import annotations

import pytest

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.outputs import (
    AdviceDrafted,
    AdvicePublished,
    AdviceRejectionNoted,
    AdviceValidationRefused,
)
from hub.contracts.outputs.advice import AdviceDraftData
from hub.domain import TickOutputs
from hub.domain.measures import InvalidMeasureRequest, load_measures, needs_of, parse_measures
from hub.domain.testing import (
    advice_rejected,
    advice_requested,
    advice_validated,
    capacity_reported,
    minutes,
    quiet_hub,
)
from hub.errors import ConfigurationError

_hub = quiet_hub


def _have(resource_type: str, source: str, available: int, **data: object) -> EventEnvelope:
    """Return ``source``'s report of ``available`` units of ``resource_type``."""
    return capacity_reported(
        resource_type, minutes(0), source=source, total=available, available=available, **data
    )


def _draft(outputs: TickOutputs) -> AdviceDraftData:
    """Return the data of the one draft a tick produced."""
    (drafted,) = [e for e in outputs.advice if isinstance(e, AdviceDrafted)]
    return drafted.data


def _lines(draft: AdviceDraftData) -> dict[str, tuple[int, int, int, int, str]]:
    """Return per resource type: need, region, with neighbours, national, assessment."""
    return {
        line.resource_type: (
            line.need, line.available_region, line.available_with_neighbours,
            line.available_national, line.assessment,
        )
        for line in draft.lines
    }  # fmt: skip


@pytest.mark.parametrize(
    ("measure", "parameters", "needs"),
    [
        ("evacuate", {"people": 11500, "shelter_share": 0.3},
         [("shelter_place", 3450), ("bus", 230), ("ambulance", 23), ("police_unit", 6)]),
        ("evacuate", {"people": 1}, [("shelter_place", 1), ("bus", 1), ("ambulance", 1),
                                     ("police_unit", 1)]),
        ("evacuate", {"people": 0}, [("shelter_place", 0), ("bus", 0), ("ambulance", 0),
                                     ("police_unit", 0)]),
        ("reinforce_dike", {"km": 0.1},
         [("pump", 1), ("sandbag", 1000), ("personnel", 4), ("dike_watch_team", 1)]),
        ("reinforce_dike", {"km": 2.5},
         [("pump", 10), ("sandbag", 25000), ("personnel", 100), ("dike_watch_team", 5)]),
        ("deploy_mobile_police", {"people": 12000},
         [("mobile_police_unit", 12), ("police_unit", 5), ("ambulance", 3)]),
    ],
)  # fmt: skip
def test_needs_are_computed_exactly_from_the_template(
    measure: str, parameters: dict[str, float], needs: list[tuple[str, int]]
) -> None:
    """ceil(units × product / per), exact in decimals: 0.1 km × 10,000 bags is 1,000."""
    assert needs_of(load_measures(), measure, parameters) == needs


@pytest.mark.parametrize(
    ("measure", "parameters", "reason"),
    [
        ("teleport", {"people": 1}, "unknown measure; known measures: deploy_mobile_police"),
        ("evacuate", {}, "missing parameter 'people'"),
        ("evacuate", {"people": 10, "hours": 2}, "unknown parameter hours"),
        ("evacuate", {"people": -5}, "parameter 'people' is -5; must be at least 0"),
        ("evacuate", {"people": 5, "shelter_share": 2}, "must be at least 0 and at most 1"),
        ("evacuate", {"people": 1e300}, "too large to count"),
    ],
)
def test_requests_that_do_not_fit_the_template_say_why(
    measure: str, parameters: dict[str, float], reason: str
) -> None:
    """Unknown measures, missing, unknown or out-of-range parameters name the problem."""
    with pytest.raises(InvalidMeasureRequest, match=reason):
        needs_of(load_measures(), measure, parameters)


def test_a_bad_template_file_names_its_key() -> None:
    """A template with an unknown resource type is a configuration error naming the key."""
    text = '[x]\ndescription = "X"\nparameters.n = { description = "N" }\n'
    text += '[[x.needs]]\nresource_type = "unicorn"\nparameters = ["n"]\n'
    with pytest.raises(ConfigurationError, match=r"x\.needs\.0\.resource_type"):
        parse_measures(text)


def test_region_alone_suffices_is_feasible() -> None:
    """Every need met in the region itself: feasible, no bottlenecks."""
    hub = _hub(
        _have("pump", "vr19", 10),
        _have("sandbag", "vr19", 20000), _have("personnel", "vr19", 80),
        _have("dike_watch_team", "vr19", 4),
        advice_requested("adv-1", minutes(1), measure="reinforce_dike", parameters={"km": 2}),
    )  # fmt: skip
    draft = _draft(hub.tick(minutes(2), 0))
    assert (draft.verdict, draft.bottlenecks, draft.needs_assistance) == ("feasible", (), ())
    assert draft.neighbours == ("vr17", "vr20")


def test_three_levels_bottlenecks_and_assistance() -> None:
    """Region, region with neighbours, national; types short nationally are bottlenecks."""
    hub = _hub(
        _have("shelter_place", "vr19", 1000), _have("shelter_place", "vr17", 2000),
        _have("shelter_place", "vr20", 1000), _have("shelter_place", "vr01", 10000),
        _have("shelter_place", "defence", 500, region="vr19"),
        _have("bus", "vr19", 50), _have("bus", "vr08", 100),
        _have("bus", "vr02", 1000, valid_until=minutes(1)),
        _have("ambulance", "vr19", 30), _have("police_unit", "vr20", 10),
        advice_requested("adv-1", minutes(1), parameters={"people": 11500, "shelter_share": 0.3}),
    )  # fmt: skip
    draft = _draft(hub.tick(minutes(2), 0))
    assert _lines(draft) == {
        "shelter_place": (3450, 1500, 4500, 14500, "needs_assistance"),
        "bus": (230, 50, 50, 150, "bottleneck"),
        "ambulance": (23, 30, 30, 30, "sufficient"),
        "police_unit": (6, 0, 10, 10, "needs_assistance"),
    }
    assert (draft.verdict, draft.bottlenecks, draft.needs_assistance) == (
        "not_feasible", ("bus",), ("shelter_place", "police_unit"),
    )  # fmt: skip
    assert "Bottleneck, not enough available nationally: bus (need 230" in draft.explanation


def test_feasible_with_assistance_when_the_country_suffices() -> None:
    """No bottleneck but the region falls short: feasible with assistance."""
    hub = _hub(
        _have("mobile_police_unit", "vr17", 5), _have("mobile_police_unit", "vr19", 1),
        _have("police_unit", "vr19", 5), _have("ambulance", "vr19", 5),
        advice_requested("adv-1", minutes(1), measure="deploy_mobile_police",
                         parameters={"people": 6000}),
    )  # fmt: skip
    draft = _draft(hub.tick(minutes(2), 0))
    assert (draft.verdict, draft.needs_assistance) == (
        "feasible_with_assistance", ("mobile_police_unit",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("measure", "parameters"),
    [("teleport", {"people": 1}), ("evacuate", {}), ("evacuate", {"people": 1e300})],
)
def test_invalid_request_gets_a_clear_draft_and_no_crash(
    measure: str, parameters: dict[str, float]
) -> None:
    """An unknown measure or bad parameters give verdict invalid_request with the reason."""
    hub = _hub(advice_requested("adv-1", minutes(1), measure=measure, parameters=parameters))
    draft = _draft(hub.tick(minutes(2), 0))
    assert (draft.verdict, draft.lines) == ("invalid_request", ())
    assert "Invalid request for measure" in draft.explanation


def test_draft_goes_to_the_validators_only() -> None:
    """The draft is TLP RED, addressed to NCC and LOCC, and never reaches the requester."""
    outputs = _hub(advice_requested("adv-1", minutes(1), source="min-jenv", region="vr19")).tick(
        minutes(2), 0
    )
    (drafted,) = outputs.advice
    assert isinstance(drafted, AdviceDrafted)
    assert (drafted.id, drafted.tlp, drafted.recipients) == (
        "adv-1:drafted:0", Tlp.RED, ("ncc", "locc"),
    )  # fmt: skip
    assert drafted.data.requester == "min-jenv"
    delivered = [d.recipients for d in outputs.deliveries if d.output is drafted]
    assert delivered == [("ncc", "locc")]


def test_validation_publishes_the_draft_to_the_requester() -> None:
    """A national centre's validation sends the draft and the validator to the requester."""
    hub = _hub(advice_requested("adv-1", minutes(1), source="min-jenv", region="vr19"))
    drafted = _draft(hub.tick(minutes(2), 0))
    hub.apply(advice_validated("adv-1", minutes(3), note="Akkoord"))
    (published,) = hub.tick(minutes(4), 1).advice
    assert isinstance(published, AdvicePublished)
    assert (published.recipients, published.data.validated_by, published.data.note) == (
        ("min-jenv",), "locc", "Akkoord",
    )  # fmt: skip
    assert published.data.draft == drafted
    assert hub.tick(minutes(5), 2).advice == []


def test_rejection_is_noted_to_the_requester_with_the_reason() -> None:
    """A national centre's rejection tells the requester why."""
    hub = _hub(
        advice_requested("adv-1", minutes(1)),
        advice_rejected("adv-1", minutes(1), source="ncc", reason="Te weinig bussen"),
    )
    outputs = hub.tick(minutes(2), 0)
    drafted, noted = outputs.advice
    assert isinstance(drafted, AdviceDrafted)
    assert isinstance(noted, AdviceRejectionNoted)
    assert (noted.recipients, noted.data.rejected_by, noted.data.reason) == (
        ("vr19",), "ncc", "Te weinig bussen",
    )  # fmt: skip


def test_unauthorised_validation_is_refused_and_changes_nothing() -> None:
    """A region's validation (past a lax gateway) is refused to its sender; the LOCC's counts."""
    hub = _hub(advice_requested("adv-1", minutes(1)))
    hub.tick(minutes(2), 0)
    hub.apply(advice_validated("adv-1", minutes(3), source="vr20"))
    (refused,) = hub.tick(minutes(4), 1).advice
    assert isinstance(refused, AdviceValidationRefused)
    assert (refused.recipients, refused.data.attempted) == (("vr20",), "validated")
    assert "only organisations of role 'national_centre'" in refused.data.reason
    hub.apply(advice_validated("adv-1", minutes(5)))
    (published,) = hub.tick(minutes(6), 2).advice
    assert isinstance(published, AdvicePublished)


def test_a_second_decision_is_refused() -> None:
    """Once validated, a later rejection is refused: the first decision stands."""
    hub = _hub(
        advice_requested("adv-1", minutes(1)),
        advice_validated("adv-1", minutes(2)),
        advice_rejected("adv-1", minutes(3), source="ncc"),
    )
    kinds = [type(e).__name__ for e in hub.tick(minutes(4), 0).advice]
    assert kinds == ["AdviceDrafted", "AdvicePublished", "AdviceValidationRefused"]


def test_request_from_a_role_that_may_not_ask_is_ignored() -> None:
    """An agency may not request advice; the domain checks it again and drafts nothing."""
    hub = _hub(advice_requested("adv-1", minutes(1), source="rijkswaterstaat", region="vr19"))
    assert hub.tick(minutes(2), 0).advice == []
    assert hub.state.advice.ignored == 1


def test_decisions_about_unknown_advice_are_ignored() -> None:
    """A validation of advice never requested is counted and produces nothing."""
    hub = _hub(advice_validated("adv-x", minutes(1)))
    assert hub.tick(minutes(2), 0).advice == []
    assert hub.state.advice.ignored == 1
