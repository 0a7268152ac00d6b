"""The assistance workflow: candidates asked nearest first, offers, acceptance, outcomes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.outputs import (
    AssistanceExpired,
    AssistanceFulfilled,
    ResourceCapacityView,
)
from hub.domain import HubProjection, TickOutputs
from hub.domain.testing import (
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    assistance_withdrawn,
    capacity_reported,
    coordination_acknowledged,
    minutes,
    quiet_thresholds,
)
from hub.domain.workflow_settings import load_workflow_settings

QUIET = quiet_thresholds()


def _hub(*events: EventEnvelope, max_candidates: int = 5) -> HubProjection:
    """Return a quiet hub with ``events`` applied."""
    settings = load_workflow_settings().replace("assistance", max_candidates=max_candidates)
    hub = HubProjection(QUIET, settings=settings)
    hub.apply_all(events)
    return hub


def _pumps(source: str, available: int, **data: Any) -> EventEnvelope:
    """Return ``source``'s pump report with ``available`` pumps available."""
    return capacity_reported(
        "pump", minutes(0), source=source, total=available + 5, available=available, **data
    )


def _request(quantity: int = 40, **data: Any) -> EventEnvelope:
    """Return vr19's request for ``quantity`` pumps, needed within two hours."""
    return assistance_requested("req-1", minutes(1), quantity=quantity, **data)


def _asked(outputs: TickOutputs) -> list[tuple[str, int]]:
    """Return (candidate, units asked) of a tick's coordination requests."""
    return [(c.recipients[0], c.data.quantity) for c in outputs.coordination]


def _kinds(outputs: TickOutputs) -> list[str]:
    """Return the types of a tick's assistance outcomes."""
    return [event.type for event in outputs.assistance]


def _signals(outputs: TickOutputs) -> list[tuple[str, str]]:
    """Return (verb, signal id) of a tick's escalation events."""
    return [(s.type.rsplit(".", 1)[1], s.data.signal_id) for s in outputs.signals]


def test_candidates_are_neighbours_first_then_others_by_distance() -> None:
    """Neighbours by distance, then others by distance; requester, stale and empty never."""
    hub = _hub(
        _pumps("vr01", 10), _pumps("vr18", 10), _pumps("wb-scheldestromen", 10),
        _pumps("vr20", 10), _pumps("vr17", 10), _pumps("vr19", 50), _pumps("vr16", 0),
        _pumps("vr15", 10, valid_until=minutes(1)), _pumps("rijkswaterstaat", 10),
        _request(60),
    )  # fmt: skip
    outputs = hub.tick(minutes(2), 0)
    assert _asked(outputs) == [
        ("vr17", 10), ("vr20", 10), ("wb-scheldestromen", 10), ("vr18", 10), ("vr01", 10),
    ]  # fmt: skip


def test_organisations_without_a_centre_come_last() -> None:
    """With room for more candidates, an organisation without a centre is asked last."""
    hub = _hub(_pumps("rijkswaterstaat", 10), _pumps("vr01", 10), _request(60), max_candidates=9)
    assert _asked(hub.tick(minutes(2), 0)) == [("vr01", 10), ("rijkswaterstaat", 10)]


def test_just_enough_candidates_to_cover_the_quantity() -> None:
    """Candidates are asked until their units cover the request; the last for its share."""
    hub = _hub(_pumps("vr17", 10), _pumps("vr20", 10), _pumps("vr18", 10), _request(15))
    assert _asked(hub.tick(minutes(2), 0)) == [("vr17", 10), ("vr20", 5)]
    assert hub.tick(minutes(3), 1).coordination == []


def test_coordination_request_is_addressed_tracked_and_deterministic() -> None:
    """One directed request per candidate, with a derived id, recorded for acknowledgement."""
    hub = _hub(_pumps("vr17", 50), _request(40, incident_id="inc-1", needed_by=minutes(20)))
    (asked,) = hub.tick(minutes(2), 7).coordination
    assert (asked.id, asked.subject, asked.source, asked.tlp, asked.recipients) == (
        "req-1/vr17:requested:7", "req-1/vr17", "hub", Tlp.AMBER_STRICT, ("vr17",),
    )  # fmt: skip
    data = asked.data
    assert (data.kind, data.what, data.quantity, data.total_quantity, data.for_org) == (
        "assistance", "pump", 40, 40, "vr19",
    )  # fmt: skip
    assert (data.incident_id, data.assistance_request_id, data.respond_by) == (
        "inc-1", "req-1", minutes(20),
    )  # fmt: skip
    assert hub.state.coordination.requests["req-1/vr17"].evidence_id == asked.id


def test_unanswered_coordination_request_is_escalated() -> None:
    """A candidate that does not answer within the response window raises a signal."""
    hub = _hub(_pumps("vr17", 50), _request(40))
    hub.tick(minutes(2), 0)
    assert _signals(hub.tick(minutes(40), 1)) == [
        ("raised", "coordination-unacknowledged/req-1/vr17")
    ]


def test_declined_counts_as_answered_and_the_next_candidate_is_asked() -> None:
    """A decline answers the request (no escalation) and, still short, the next one is asked."""
    hub = _hub(_pumps("vr17", 10), _pumps("vr20", 10), _pumps("vr18", 10), _request(15))
    hub.tick(minutes(2), 0)
    hub.apply(
        coordination_acknowledged("req-1/vr17", minutes(3), source="vr17", response="declined")
    )
    assert _asked(hub.tick(minutes(4), 1)) == [("vr18", 10)]
    assert [r.request_id for r in hub.state.coordination.unacknowledged()] == [
        "req-1/vr18", "req-1/vr20",
    ]  # fmt: skip


def test_a_new_capacity_report_gives_a_short_request_its_next_candidate() -> None:
    """Nothing about the request changes, yet a report of its type at a later tick is asked."""
    hub = _hub(_pumps("vr17", 10), _request(15))
    assert _asked(hub.tick(minutes(2), 0)) == [("vr17", 10)]
    assert _asked(hub.tick(minutes(3), 1)) == []
    hub.apply(capacity_reported("pump", minutes(4), source="vr20", total=10, available=8))
    assert _asked(hub.tick(minutes(5), 2)) == [("vr20", 5)]


def test_a_pending_request_expires_at_a_tick_without_events() -> None:
    """The expiry (needed_by plus the grace) falls due by time alone: announced once."""
    hub = _hub(_pumps("vr17", 10), _request(15))
    hub.tick(minutes(2), 0)
    late = minutes(60 * 24)
    assert _kinds(hub.tick(late, 1)) == ["nl.kcr.assistance.expired"]
    assert _kinds(hub.tick(late + timedelta(minutes=1), 2)) == []


def test_noted_answers_but_the_candidate_still_counts() -> None:
    """'Noted' answers the request; the candidate may still offer, so nobody new is asked."""
    hub = _hub(_pumps("vr17", 10), _pumps("vr20", 10), _request(10))
    hub.tick(minutes(2), 0)
    hub.apply(coordination_acknowledged("req-1/vr17", minutes(3), source="vr17"))
    assert hub.tick(minutes(4), 1).coordination == []
    assert list(hub.state.coordination.unacknowledged()) == []


def test_someone_elses_acknowledgement_does_not_count() -> None:
    """Only the addressee answers its coordination request."""
    hub = _hub(_pumps("vr17", 10), _request(10))
    hub.tick(minutes(2), 0)
    hub.apply(coordination_acknowledged("req-1/vr17", minutes(3), source="vr20"))
    assert [r.request_id for r in hub.state.coordination.unacknowledged()] == ["req-1/vr17"]


def test_partial_offer_accepted_is_not_yet_fulfilled() -> None:
    """25 of 40 accepted: committed 25, no outcome, the offer answered the candidate."""
    hub = _hub(_pumps("vr17", 25), _request(40))
    hub.tick(minutes(2), 0)
    hub.apply_all([
        assistance_offered("req-1", minutes(3), source="vr17", quantity=25),
        assistance_accepted("req-1", minutes(4), offer_id="vr17-offer", quantity=25),
    ])  # fmt: skip
    outputs = hub.tick(minutes(5), 1)
    assert outputs.assistance == []
    assert hub.state.assistance.requests["req-1"].outstanding == 15
    assert list(hub.state.coordination.unacknowledged()) == []
    assert _committed(hub) == 25


def test_over_offer_is_capped_and_fulfils_once() -> None:
    """Offers of 25 + 20 against 40: the second acceptance is capped at 15, fulfilled once."""
    hub = _hub(_pumps("vr17", 25), _pumps("vr20", 20), _request(40))
    hub.tick(minutes(2), 0)
    hub.apply_all([
        assistance_offered("req-1", minutes(3), source="vr17", quantity=25),
        assistance_offered("req-1", minutes(3), source="vr20", quantity=20),
        assistance_accepted("req-1", minutes(4), offer_id="vr17-offer", quantity=25),
        assistance_accepted("req-1", minutes(4), offer_id="vr20-offer", quantity=20),
    ])  # fmt: skip
    (fulfilled,) = hub.tick(minutes(5), 1).assistance
    assert isinstance(fulfilled, AssistanceFulfilled)
    data = fulfilled.data
    assert (fulfilled.id, fulfilled.recipients, data.accepted, data.offered) == (
        "req-1:fulfilled:1", ("vr19",), 40, 45,
    )  # fmt: skip
    assert [(c.org_id, c.offered, c.accepted) for c in data.contributions] == [
        ("vr17", 25, 25), ("vr20", 20, 15),
    ]  # fmt: skip
    assert _committed(hub) == 40
    assert hub.tick(minutes(6), 2).assistance == []


def test_acceptance_by_anyone_but_the_requester_is_ignored() -> None:
    """The domain does not trust that only the requester accepts."""
    hub = _hub(_request(10), assistance_offered("req-1", minutes(2), source="vr17", quantity=10))
    hub.apply(assistance_accepted("req-1", minutes(3), source="vr20", offer_id="vr17-offer"))
    assert hub.state.assistance.requests["req-1"].accepted == 0
    assert hub.state.assistance.ignored == 1


def test_withdrawn_offer_reduces_accepted_and_asks_again() -> None:
    """An accepted offer withdrawn no longer counts or commits; the next candidate is asked."""
    hub = _hub(_pumps("vr17", 10), _pumps("vr20", 10), _request(10))
    assert _asked(hub.tick(minutes(2), 0)) == [("vr17", 10)]
    hub.apply_all([
        assistance_offered("req-1", minutes(3), source="vr17", quantity=10),
        assistance_accepted("req-1", minutes(4), offer_id="vr17-offer", quantity=10),
        assistance_withdrawn("req-1", minutes(5), source="vr17", offer_id="vr17-offer"),
    ])  # fmt: skip
    outputs = hub.tick(minutes(6), 1)
    assert outputs.assistance == []
    assert _asked(outputs) == [("vr20", 10)]
    assert hub.state.assistance.requests["req-1"].accepted == 0
    assert _committed(hub) == 0


def test_withdrawn_request_closes_everything_and_releases_capacity() -> None:
    """No outcome, no new candidates, no escalations, nothing committed after withdrawal."""
    hub = _hub(_pumps("vr17", 10), _pumps("vr20", 10), _request(20, needed_by=minutes(30)))
    hub.tick(minutes(2), 0)
    hub.apply_all([
        assistance_offered("req-1", minutes(3), source="vr17", quantity=10),
        assistance_accepted("req-1", minutes(4), offer_id="vr17-offer", quantity=10),
        assistance_withdrawn("req-1", minutes(5)),
    ])  # fmt: skip
    outputs = hub.tick(minutes(6), 1)
    assert (outputs.coordination, outputs.assistance) == ([], [])
    assert _committed(hub) == 0
    later = hub.tick(minutes(90), 2)
    assert (later.assistance, later.signals) == ([], [])


def test_request_from_a_role_that_may_not_ask_is_ignored() -> None:
    """A ministry may not ask for assistance; the domain checks it again."""
    hub = _hub(_pumps("vr17", 10), assistance_requested("req-9", minutes(1), source="min-jenv",
                                                        region="vr19"))  # fmt: skip
    assert hub.tick(minutes(2), 0).coordination == []
    assert (hub.state.assistance.requests, hub.state.assistance.ignored) == ({}, 1)


def test_withdrawal_by_another_organisation_is_ignored() -> None:
    """Only the requester withdraws the request, only the offerer its offer."""
    hub = _hub(_request(10), assistance_offered("req-1", minutes(2), source="vr17", quantity=10))
    hub.apply_all([
        assistance_withdrawn("req-1", minutes(3), source="vr20"),
        assistance_withdrawn("req-1", minutes(3), source="vr19", offer_id="vr17-offer"),
    ])  # fmt: skip
    request = hub.state.assistance.requests["req-1"]
    assert (request.withdrawn, request.offered, hub.state.assistance.ignored) == (False, 10, 2)


def test_expiry_is_announced_once_and_escalated_to_the_locc() -> None:
    """Past needed_by unfulfilled: expired once, and the overdue signal goes to the LOCC."""
    hub = _hub(_pumps("vr17", 5), _request(10, needed_by=minutes(10)))
    hub.tick(minutes(2), 0)
    hub.apply(coordination_acknowledged("req-1/vr17", minutes(3), source="vr17"))
    outputs = hub.tick(minutes(11), 1)
    (expired,) = outputs.assistance
    assert isinstance(expired, AssistanceExpired)
    assert (expired.recipients, expired.data.accepted) == (("vr19",), 0)
    (signal,) = outputs.signals
    assert signal.data.signal_id == "assistance-overdue/req-1"
    assert signal.recipients == ("locc", "vr19")
    assert "locc" in outputs.outboxes()
    again = hub.tick(minutes(12), 2)
    assert (again.assistance, again.coordination) == ([], [])


def test_fulfilled_after_expiry_is_still_announced() -> None:
    """Units accepted after the deadline fulfil the request and resolve the signal."""
    hub = _hub(_request(10, needed_by=minutes(10)))
    hub.tick(minutes(11), 0)
    hub.apply_all([
        assistance_offered("req-1", minutes(12), source="vr17", quantity=10),
        assistance_accepted("req-1", minutes(13), offer_id="vr17-offer", quantity=10),
    ])  # fmt: skip
    outputs = hub.tick(minutes(14), 1)
    assert _kinds(outputs) == ["nl.kcr.assistance.fulfilled"]
    assert ("resolved", "assistance-overdue/req-1") in _signals(outputs)


def test_response_window_ends_at_needed_by_at_the_latest() -> None:
    """A candidate answers within the configured window, never later than needed_by."""
    hub = _hub(_pumps("vr17", 10), _request(10, needed_by=minutes(120)))
    (asked,) = hub.tick(minutes(2), 0).coordination
    assert asked.data.respond_by == minutes(2) + timedelta(minutes=30)


def _committed(hub: HubProjection) -> int:
    """Return the pumps committed in the capacity view, as published at the last tick."""
    views = {r.key: r.view for r in hub.published_views()}
    view = views["resource/pump"]
    assert isinstance(view, ResourceCapacityView)
    return view.committed
