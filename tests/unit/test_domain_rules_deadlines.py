"""Rules over time: silent_organisation, assistance_overdue, coordination_unacknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import SignalSeverity
from hub.contracts.reference import load_reference
from hub.domain.rules import assistance_overdue, coordination_unacknowledged, silent_organisation
from hub.domain.state import HubState
from hub.domain.testing import (
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    assistance_withdrawn,
    coordination_acknowledged,
    heartbeat,
    minutes,
)
from hub.domain.thresholds import load_thresholds

TH = load_thresholds()
ONLY_VR19 = TH.replace("silent_organisation", expected_partners=[])
TINY = timedelta(microseconds=1)


def _state(*events: EventEnvelope, first_tick: float = 0) -> HubState:
    """Return the state after ``events``, observed from ``minutes(first_tick)``."""
    state = HubState.empty(load_registry(), load_reference())
    for event in events:
        state.apply(event)
    state.activity.note_tick(minutes(first_tick))
    return state


def _silent(state: HubState, at: float | datetime) -> set[str]:
    """Return the organisations silent at ``at`` (minutes, or a datetime)."""
    now = at if isinstance(at, datetime) else minutes(at)
    return {sid.split("/")[1] for sid in silent_organisation(state, now, ONLY_VR19)}


def test_silence_is_raised_only_after_five_minutes() -> None:
    """Exactly five minutes after its last event vr19 is not silent; a moment later it is."""
    state = _state(*(heartbeat(minutes(0), source=f"vr{n:02}") for n in range(1, 26)))
    assert _silent(state, 5) == set()
    assert _silent(state, minutes(5) + TINY) == {f"vr{n:02}" for n in range(1, 26)}


def test_never_seen_organisation_counts_from_the_first_tick() -> None:
    """An organisation never heard from is not silent at the first tick, only five minutes on."""
    state = _state(first_tick=30)
    assert _silent(state, 30) == set()
    assert _silent(state, 35) == set()
    assert len(_silent(state, 36)) == 25


def test_silence_names_the_organisation_and_its_last_event() -> None:
    """Title, details, region and evidence say who is silent and since when."""
    beat = heartbeat(minutes(0))
    condition = silent_organisation(_state(beat), minutes(6), ONLY_VR19)["silent-organisation/vr19"]
    assert condition.title == "No events from Zeeland"
    assert (condition.regions, condition.evidence) == (("vr19",), (beat.id,))
    assert condition.severity is SignalSeverity.WARNING
    assert beat.id in condition.details


def test_long_silence_is_critical() -> None:
    """After thirty minutes of silence the signal is critical."""
    state = _state(heartbeat(minutes(0)))
    assert (
        silent_organisation(state, minutes(30), ONLY_VR19)["silent-organisation/vr19"].severity
        is SignalSeverity.WARNING
    )
    assert (
        silent_organisation(state, minutes(31), ONLY_VR19)["silent-organisation/vr19"].severity
        is SignalSeverity.CRITICAL
    )


def test_national_partners_are_expected_with_no_region() -> None:
    """The configured partners (ncc, locc) are expected too; they are not regions."""
    found = silent_organisation(_state(), minutes(6), TH)
    assert found["silent-organisation/ncc"].regions == ()
    assert "silent-organisation/min-vws" not in found


def test_heard_again_clears_silence() -> None:
    """An event from the organisation clears its silence."""
    state = _state(heartbeat(minutes(0)))
    state.apply(heartbeat(minutes(7)))
    assert "vr19" not in _silent(state, 8)


def _request(quantity: int = 5) -> EventEnvelope:
    """Return vr19's request for pumps, needed by minute 60."""
    return assistance_requested("req-1", minutes(0), quantity=quantity, needed_by=minutes(60))


def test_assistance_overdue_only_after_needed_by() -> None:
    """At needed_by the request is not yet overdue; a moment later it is, critical if none came."""
    state = _state(_request())
    assert assistance_overdue(state, minutes(60), TH) == {}
    found = assistance_overdue(state, minutes(60) + TINY, TH)
    condition = found["assistance-overdue/req-1"]
    assert condition.severity is SignalSeverity.CRITICAL
    assert condition.regions == ("vr19",)
    assert "0 of 5" in condition.title


def test_partly_accepted_request_overdue_is_a_warning() -> None:
    """Some units accepted, not all: a warning with the acceptance as evidence."""
    accept = assistance_accepted("req-1", minutes(2), quantity=3)
    state = _state(_request(), assistance_offered("req-1", minutes(1)), accept)
    condition = assistance_overdue(state, minutes(61), TH)["assistance-overdue/req-1"]
    assert condition.severity is SignalSeverity.WARNING
    assert condition.evidence[-1] == accept.id


def test_fulfilled_or_withdrawn_request_is_not_overdue() -> None:
    """A fully accepted or withdrawn request is never overdue."""
    fulfilled = _state(
        _request(),
        assistance_offered("req-1", minutes(1)),
        assistance_accepted("req-1", minutes(2)),
    )
    withdrawn = _state(_request(), assistance_withdrawn("req-1", minutes(1)))
    assert assistance_overdue(fulfilled, minutes(90), TH) == {}
    assert assistance_overdue(withdrawn, minutes(90), TH) == {}


def test_grace_period_delays_overdue() -> None:
    """With 10 minutes' grace, overdue starts 10 minutes after needed_by."""
    thresholds = TH.replace("assistance_overdue", grace_minutes=10)
    assert assistance_overdue(_state(_request()), minutes(70), thresholds) == {}
    assert assistance_overdue(_state(_request()), minutes(70) + TINY, thresholds) != {}


def test_coordination_unacknowledged_after_respond_by() -> None:
    """A hub request unacknowledged past respond_by is raised; at respond_by it is not."""
    state = _state()
    state.coordination.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    assert coordination_unacknowledged(state, minutes(15), TH) == {}
    condition = coordination_unacknowledged(state, minutes(15) + TINY, TH)[
        "coordination-unacknowledged/co-1"
    ]
    assert (condition.regions, condition.evidence) == (("vr19",), ("hub-ev-1",))
    assert condition.title == "Coordination request not acknowledged by Zeeland"


def test_acknowledgement_clears_coordination() -> None:
    """Once acknowledged, even late, the request is no longer raised."""
    state = _state()
    state.coordination.record_request("co-1", "ncc", minutes(15), "hub-ev-1")
    state.apply(coordination_acknowledged("co-1", minutes(20), source="ncc"))
    assert coordination_unacknowledged(state, minutes(30), TH) == {}
