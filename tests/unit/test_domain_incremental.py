"""Incremental ticks equal a full re-evaluation at every tick, and the live state stays bounded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.contracts.events.envelope import EventEnvelope
from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.rules import evaluate, supra_regional
from hub.domain.rules.situation import supra_regional_for
from hub.domain.testing import (
    advice_rejected,
    advice_requested,
    advice_validated,
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    assistance_withdrawn,
    capacity_reported,
    coordination_acknowledged,
    heartbeat,
    incident_closed,
    incident_reported,
    incident_updated,
    information_provided,
    information_requested,
    minutes,
    sitrep_published,
)
from hub.domain.thresholds import Thresholds, load_thresholds

_REGIONS = ("vr17", "vr18", "vr19", "vr20")
_IDS = tuple(f"inc-{n}" for n in range(8))
_CATEGORIES = ("flood", "storm", "fire")
_GRIPS = ("0", "1", "2", "3", "4", "5")

_report = st.fixed_dictionaries(
    {
        "op": st.just("report"),
        "id": st.sampled_from(_IDS),
        "source": st.sampled_from(_REGIONS),
        "category": st.sampled_from(_CATEGORIES),
        "regions": st.lists(st.sampled_from(_REGIONS), min_size=1, max_size=3, unique=True),
        "grip": st.sampled_from(_GRIPS),
        "start_hours": st.integers(-30, 0),
        "affected": st.integers(0, 500),
    }
)
_update = st.fixed_dictionaries(
    {
        "op": st.just("update"),
        "id": st.sampled_from(_IDS),
        "grip": st.none() | st.sampled_from(_GRIPS),
        "regions": st.none()
        | st.lists(st.sampled_from(_REGIONS), min_size=1, max_size=3, unique=True),
        "affected": st.none() | st.integers(0, 500),
    }
)
_other = st.fixed_dictionaries(
    {
        "op": st.sampled_from(("close", "sitrep", "heartbeat", "capacity")),
        "id": st.sampled_from(_IDS),
        "source": st.sampled_from(_REGIONS),
        "n": st.integers(0, 10),
    }
)
_REQUESTS = tuple(f"req-{n}" for n in range(3))
_INFO = tuple(f"info-{n}" for n in range(3))
_ADVICE = tuple(f"adv-{n}" for n in range(3))
_assistance = st.fixed_dictionaries(
    {
        "op": st.sampled_from(
            (
                "ask",
                "ask",
                "offer",
                "offer",
                "accept",
                "accept",
                "withdraw",
                "withdraw-offer",
                "ack",
                "ack",
                "capacity",
                "capacity",
            )
        ),
        "id": st.sampled_from(_REQUESTS),
        "source": st.sampled_from(_REGIONS),
        "n": st.integers(1, 4),
        "minutes": st.integers(5, 300),
        "response": st.sampled_from(("noted", "accepted", "declined")),
    }
)
_information = st.fixed_dictionaries(
    {
        "op": st.sampled_from(("inform-ask", "inform", "inform")),
        "id": st.sampled_from(_INFO),
        "source": st.sampled_from(_REGIONS),
        "regions": st.lists(st.sampled_from(_REGIONS), min_size=1, max_size=3, unique=True),
        "minutes": st.integers(5, 300),
    }
)
_tick = st.fixed_dictionaries({"op": st.just("tick"), "minutes": st.integers(1, 400)})
_mixed = st.lists(
    st.one_of(_report, _update, _other, _assistance, _information, _tick), min_size=1, max_size=60
)
_tick_short = st.fixed_dictionaries({"op": st.just("tick"), "minutes": st.integers(1, 90)})
_requests_only = st.lists(
    st.one_of(_assistance, _assistance, _information, _tick_short), min_size=8, max_size=80
)
_EDGE = st.integers(0, 60)
"""Whole minutes after T0: deadlines, validity ends and ticks meet on this grid."""
_timed_request = st.fixed_dictionaries(
    {
        "op": st.sampled_from(
            ("ask", "offer", "accept", "withdraw", "ack", "inform-ask", "inform")
        ),
        "id": st.sampled_from(_REQUESTS + _INFO + _ADVICE),
        "source": st.sampled_from(_REGIONS),
        "regions": st.lists(st.sampled_from(_REGIONS), min_size=1, max_size=2, unique=True),
        "n": st.integers(1, 4),
        "due": _EDGE,
        "response": st.sampled_from(("noted", "accepted", "declined")),
    }
)
_timed_life = st.fixed_dictionaries(
    {
        "op": st.sampled_from(("heartbeat", "heartbeat", "capacity")),
        "id": st.just("org"),
        "source": st.sampled_from((*_REGIONS, "ncc", "locc")),
        "n": st.integers(0, 10),
        "due": _EDGE,
    }
)
_tick_to = st.fixed_dictionaries(
    {"op": st.just("tick-to"), "minute": _EDGE, "second": st.sampled_from((-1, 0, 0, 1, 20))}
)
_timed = st.lists(
    st.one_of(_timed_request, _timed_life, _tick_to, _tick_to), min_size=8, max_size=70
)
"""Time-driven: deadlines, validity ends and ticks on one minute grid, so ticks land just
before, on and just after deadlines, silences run out, reports go stale, answers come just
before or after their deadline."""
_steps = _mixed | _requests_only | _timed
"""Incident and request events mixed, request events only (so requests meet often), or
time-driven steps."""


def _requester(request_id: str) -> str:
    """Each generated assistance request has one requester (so acceptances can count)."""
    return _REGIONS[_REQUESTS.index(request_id)]


def _request_event(step: dict[str, Any], at: datetime) -> EventEnvelope:
    """The assistance, coordination or information event a generated step stands for."""
    op, request_id, source = step["op"], step["id"], step["source"]
    if request_id in _ADVICE:
        return _advice_event(step, at)
    requester = _requester(request_id) if request_id in _REQUESTS else "ncc"
    if request_id in _INFO and op in ("ask", "offer", "accept", "withdraw", "ack"):
        op = "inform-ask" if op == "ask" else "inform"
    if request_id in _REQUESTS and op.startswith("inform"):
        op = "ask" if op == "inform-ask" else "offer"
    deadline = _deadline(step, at)
    if op == "ask":
        needed_by = deadline
        return assistance_requested(
            request_id, at, source=requester, quantity=step["n"], needed_by=needed_by
        )
    if op == "offer":
        return assistance_offered(request_id, at, source=source, quantity=step["n"])
    if op == "accept":
        offer = f"{source}-offer"
        return assistance_accepted(
            request_id, at, source=requester, offer_id=offer, quantity=step["n"]
        )
    if op == "withdraw":
        return assistance_withdrawn(request_id, at, source=requester)
    if op == "withdraw-offer":
        return assistance_withdrawn(request_id, at, source=source, offer_id=f"{source}-offer")
    if op == "capacity":
        return capacity_reported("pump", at, source=source, available=step["n"], total=12)
    if op == "ack":
        ack_id = f"{request_id}/{source}"
        return coordination_acknowledged(ack_id, at, source=source, response=step["response"])
    if op == "inform-ask":
        respond_by = deadline
        return information_requested(
            request_id, at, source=requester, addressees=step["regions"], respond_by=respond_by
        )
    return information_provided(request_id, at, source=source)


def _advice_event(step: dict[str, Any], at: datetime) -> EventEnvelope:
    """An advice request (needed by a minute of the grid, or with none) or its validation."""
    advice_id = step["id"]
    if step["op"] in ("ask", "inform-ask"):
        needed_by = minutes(step["due"]) if step["n"] % 2 else None
        return advice_requested(advice_id, at, source=step["source"], needed_by=needed_by)
    if step["op"] == "withdraw":
        return advice_rejected(advice_id, at)
    return advice_validated(advice_id, at, source="locc" if step["n"] > 1 else step["source"])


def _deadline(step: dict[str, Any], at: datetime) -> datetime:
    """A deadline ``minutes`` after ``at``, or at minute ``due`` of the grid (time-driven)."""
    return minutes(step["due"]) if "due" in step else at + timedelta(minutes=step["minutes"])


def _event(step: dict[str, Any], at: datetime, serial: int) -> EventEnvelope:
    """The event a generated step stands for, at ``at``."""
    op, incident_id = step["op"], step.get("id", "")
    if incident_id.startswith(("req-", "info-", "adv-")):
        return _request_event(step, at)
    if op == "report":
        return incident_reported(
            incident_id, at, source=step["source"], category=step["category"],
            regions=step["regions"], grip_level=step["grip"], affected_people=step["affected"],
            started_at=at + timedelta(hours=step["start_hours"]),
        )  # fmt: skip
    if op == "update":
        changes = {
            "grip_level": step["grip"], "regions": step["regions"],
            "affected_people": step["affected"],
        }  # fmt: skip
        return incident_updated(incident_id, at, **{k: v for k, v in changes.items() if v})
    if op == "close":
        return incident_closed(incident_id, at)
    if op == "sitrep":
        return sitrep_published(f"s-{serial}", at, source=step["source"], incident_id=incident_id)
    if op == "capacity" and "due" in step:
        valid_until = max(at, minutes(step["due"]))
        return capacity_reported(
            "pump", at, source=step["source"], available=step["n"], valid_until=valid_until
        )
    if op == "capacity":
        return capacity_reported("pump", at, source=step["source"], available=step["n"])
    return heartbeat(at, source=step["source"])


def _thresholds() -> Thresholds:
    """Packaged thresholds with short graces and report ages, so time matters in a test."""
    return (
        load_thresholds()
        .replace(
            "live_state", closed_grace_minutes=90, finished_grace_minutes=60, max_open_minutes=30
        )
        .replace("capacity", max_report_age_minutes=45)
    )


def _tick_time(step: dict[str, Any], at: datetime) -> datetime:
    """When a tick step ticks: ``minutes`` after ``at``, or on or near a minute of the grid.

    Never before ``at``: time does not run backwards.
    """
    if step["op"] == "tick":
        return at + timedelta(minutes=step["minutes"])
    return max(at, minutes(step["minute"]) + timedelta(seconds=step["second"]))


def _run(steps: list[dict[str, Any]], hub: HubProjection) -> list[TickOutputs]:
    """Apply the steps to ``hub``; return every tick's outputs (and a last tick)."""
    return _apply([*steps, {"op": "tick", "minutes": 1}], hub, minutes(0), 0, 0)[2]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_steps)
def test_incremental_ticks_equal_a_full_evaluation_at_every_tick(
    steps: list[dict[str, Any]],
) -> None:
    """Views, signals, deliveries and retired views: the same at every tick, either way."""
    incremental = _run(steps, HubProjection(_thresholds()))
    full = _run(steps, HubProjection(_thresholds(), full_evaluation=True))
    assert incremental == full


@settings(max_examples=100, deadline=None)
@given(_steps)
def test_the_signals_held_equal_the_full_rules_after_every_tick(
    steps: list[dict[str, Any]],
) -> None:
    """After each incremental tick the active signals are exactly what every rule finds."""
    hub, th = HubProjection(_thresholds()), _thresholds()
    at, tick = minutes(0), 0
    for serial, step in enumerate(steps):
        if not step["op"].startswith("tick"):
            at += timedelta(seconds=1)
            hub.apply(_event(step, at, serial))
            continue
        at, tick = _tick_time(step, at), tick + 1
        hub.tick(at, tick)
        held = {sid: signal.condition for sid, signal in hub.signal_book.active.items()}
        assert held == evaluate(hub.state, at, th)


@settings(max_examples=100, deadline=None)
@given(_steps)
def test_supra_regional_from_tallies_equals_the_full_grouping(
    steps: list[dict[str, Any]],
) -> None:
    """The tally-based rule (fast path and linear pass) finds what the sorted regrouping finds."""
    hub, th = HubProjection(_thresholds()), _thresholds()
    _run(steps, hub)
    categories = hub.state.situation.category_tallies()
    assert supra_regional_for(hub.state, minutes(0), th, categories) == supra_regional(
        hub.state, minutes(0), th
    )


@settings(max_examples=60, deadline=None)
@given(_steps, st.integers(0, 60))
def test_restoring_between_ticks_continues_like_an_uninterrupted_run(
    steps: list[dict[str, Any]], cut: int
) -> None:
    """A projection restored from its JSON snapshot at a tick goes on as if never stopped.

    Its due-time queues are not stored: rebuilt on restore, they give the same signals, workflow
    outputs (advice expiring undecided included) and retirements at the same ticks.
    """
    uninterrupted = HubProjection(_thresholds())
    whole = _run(steps, uninterrupted)
    ticks = [n for n, step in enumerate(steps) if step["op"].startswith("tick")]
    if not ticks:
        return
    stop = ticks[min(cut, len(ticks) - 1)]
    first = HubProjection(_thresholds())
    before = _run_prefix(steps[: stop + 1], first)
    snapshot = json.loads(json.dumps(first.to_snapshot()))
    restored = HubProjection.from_snapshot(snapshot, _thresholds())
    after = _continue(steps[stop + 1 :], restored, before, stop + 1)
    assert [_observed(o) for o in before.outputs + after] == [_observed(o) for o in whole]
    assert _held(restored) == _held(uninterrupted)


def _held(hub: HubProjection) -> object:
    """The projection's state and workflow memory as stored (what is live, and leaving when)."""
    snapshot = json.loads(json.dumps(hub.to_snapshot()))
    return snapshot["state"], snapshot["workflows"]


def _observed(outputs: TickOutputs) -> tuple[object, ...]:
    """What a tick sends: its output events (signals, workflow outputs) and retired views.

    Views are left out: a restored projection republishes every view once (it does not know
    which changed before the snapshot).
    """
    return (outputs.events(), [record.key for record in outputs.retired])


class _Progress:
    """Where a partial run stopped: the time, the tick number and the outputs so far."""

    def __init__(self, at: datetime, tick: int, outputs: list[TickOutputs]) -> None:
        self.at, self.tick, self.outputs = at, tick, outputs


def _run_prefix(steps: list[dict[str, Any]], hub: HubProjection) -> _Progress:
    """Apply ``steps`` (ending on a tick) without the final extra tick of :func:`_run`."""
    return _Progress(*_apply(steps, hub, minutes(0), 0, 0))


def _continue(
    steps: list[dict[str, Any]], hub: HubProjection, progress: _Progress, serial: int
) -> list[TickOutputs]:
    """Apply the rest of the steps and the final tick, continuing ``progress``.

    ``serial`` is the index of the first step in the whole run, so generated ids (sitreps)
    are those of the uninterrupted run.
    """
    rest = [*steps, {"op": "tick", "minutes": 1}]
    _, _, outputs = _apply(rest, hub, progress.at, progress.tick, serial)
    return outputs


def _apply(
    steps: list[dict[str, Any]], hub: HubProjection, at: datetime, tick: int, serial0: int
) -> tuple[datetime, int, list[TickOutputs]]:
    """Apply ``steps`` from ``at`` / ``tick`` on; return where it ended and the tick outputs."""
    outputs = []
    for serial, step in enumerate(steps, start=serial0):
        if step["op"].startswith("tick"):
            at, tick = _tick_time(step, at), tick + 1
            outputs.append(hub.tick(at, tick))
        else:
            at += timedelta(seconds=1)
            hub.apply(_event(step, at, serial))
    return at, tick, outputs


def test_closed_incidents_leave_the_live_state_after_the_grace() -> None:
    """A closed incident is forgotten at the first tick past its grace; its view is retired."""
    hub = HubProjection(_thresholds())
    hub.apply(incident_reported("inc-1", minutes(0), grip_level="3"))
    hub.tick(minutes(1), 1)
    hub.apply(incident_closed("inc-1", minutes(2)))
    closing = hub.tick(minutes(3), 2)
    assert "inc-1" in hub.state.situation.incidents
    assert [s.data.signal_id for s in closing.signals] == ["grip-high/inc-1"]
    assert hub.tick(minutes(92), 3).retired == []
    later = hub.tick(minutes(93), 4)
    assert [r.key for r in later.retired] == ["incident/inc-1"]
    assert "inc-1" not in hub.state.situation.incidents
    assert "incident/inc-1" not in {r.key for r in hub.published_views()}


def test_the_live_state_is_bounded_by_what_is_active_not_by_history() -> None:
    """2,000 incidents reported and closed over days leave only the recent ones in the state."""
    hub = HubProjection(_thresholds())
    for n in range(2_000):
        at = minutes(n * 10)
        hub.apply(incident_reported(f"inc-{n}", at))
        hub.apply(incident_closed(f"inc-{n - 3}", at)) if n >= 3 else None
        hub.tick(at + timedelta(minutes=1), n + 1)
    kept = hub.state.situation.incidents
    assert len(kept) <= 3 + 90 // 10 + 1
    assert len(hub.published_views()) < 100
    assert len(json.dumps(hub.to_snapshot())) < 200_000


def _request_cycle(hub: HubProjection, n: int, at: datetime) -> None:
    """Request ``n``: assistance fulfilled (or withdrawn), information answered, advice decided."""
    hub.apply(capacity_reported("pump", at, source="vr18", available=5, total=10))
    hub.apply(assistance_requested(f"req-{n}", at, quantity=2))
    hub.apply(information_requested(f"info-{n}", at, addressees=["vr18"]))
    hub.apply(advice_requested(f"adv-{n}", at))
    hub.tick(at + timedelta(minutes=1), 3 * n + 1)
    later = at + timedelta(minutes=2)
    hub.apply(coordination_acknowledged(f"req-{n}/vr18", later, source="vr18"))
    if n % 3:
        hub.apply(assistance_offered(f"req-{n}", later, quantity=2))
        hub.apply(assistance_accepted(f"req-{n}", later, quantity=2))
    else:
        hub.apply(assistance_withdrawn(f"req-{n}", later))
    hub.apply(information_provided(f"info-{n}", later, source="vr18"))
    hub.apply(advice_validated(f"adv-{n}", later))
    hub.tick(at + timedelta(minutes=3), 3 * n + 2)
    hub.tick(at + timedelta(minutes=5), 3 * n + 3)


def test_finished_requests_leave_the_live_state_after_the_grace() -> None:
    """Fulfilled assistance, answered information, published advice: gone a grace later."""
    hub = HubProjection(_thresholds())
    _request_cycle(hub, 1, minutes(0))
    state, workflows = hub.state, hub.workflows
    assert state.assistance.committed() == {"pump": {"vr18": 2}}
    assert "req-1" in state.assistance.requests
    assert "info-1" in state.information.requests
    hub.tick(minutes(62), 10)
    assert "req-1" in state.assistance.requests  # seen finished at minute 3: due at 63
    hub.tick(minutes(63), 11)
    assert not state.assistance.requests
    assert not state.information.requests
    assert not state.advice.requests
    assert not workflows.dispatch.dispatches
    assert not workflows.information.progress
    assert not workflows.advice.progress
    assert state.assistance.committed() == {}
    assert "req-1/vr18" in state.coordination.requests  # released now: leaves a grace later
    hub.tick(minutes(123), 12)
    assert not state.coordination.requests
    ignored = state.assistance.ignored
    hub.apply(assistance_accepted("req-1", minutes(124), quantity=2))
    assert state.assistance.ignored == ignored + 1


def test_live_requests_are_bounded_by_what_is_active_not_by_history() -> None:
    """3,000 requests of each kind over three weeks leave only the last hour's in the state."""
    hub = HubProjection(_thresholds())
    for n in range(3_000):
        _request_cycle(hub, n, minutes(n * 10))
    state, workflows = hub.state, hub.workflows
    for live in (
        state.assistance.requests,
        state.information.requests,
        state.advice.requests,
        workflows.dispatch.dispatches,
        workflows.information.progress,
        workflows.advice.progress,
    ):
        assert 0 < len(live) <= 60 // 10 + 1
    assert len(state.coordination.requests) <= 2 * 60 // 10 + 1
    assert len(json.dumps(hub.to_snapshot())) < 200_000
    assert json.dumps(hub.to_snapshot()).count("req-17") == 0


def _restored(hub: HubProjection) -> HubProjection:
    """``hub`` restored from its JSON snapshot (as after a restart of the processors)."""
    return HubProjection.from_snapshot(json.loads(json.dumps(hub.to_snapshot())), _thresholds())


def test_undecided_advice_expires_at_its_needed_by_and_leaves_a_grace_later() -> None:
    """Never decided: seen expired at the first tick past needed_by, gone a grace later."""
    hub = HubProjection(_thresholds())
    hub.apply(advice_requested("adv-1", minutes(0), needed_by=minutes(20)))
    assert [type(o).__name__ for o in hub.tick(minutes(1), 1).advice] == ["AdviceDrafted"]
    hub = _restored(hub)  # the expiry queue is not stored: rebuilt from draft and request
    hub.tick(minutes(20), 2)
    assert "adv-1" not in hub.workflows.advice.retiring  # at needed_by: not yet past it
    hub.tick(minutes(21), 3)
    hub.tick(minutes(80), 4)
    assert "adv-1" in hub.state.advice.requests
    hub.tick(minutes(81), 5)
    assert "adv-1" not in hub.state.advice.requests
    assert "adv-1" not in hub.workflows.advice.progress
    ignored = hub.state.advice.ignored
    hub.apply(advice_validated("adv-1", minutes(82)))
    assert hub.tick(minutes(83), 6).advice == []
    assert hub.state.advice.ignored == ignored + 1


def test_undecided_advice_without_needed_by_expires_max_open_after_its_draft() -> None:
    """Without needed_by: expired max_open (30 minutes here) after the drafting tick."""
    hub = HubProjection(_thresholds())
    hub.apply(advice_requested("adv-1", minutes(0)))
    hub.tick(minutes(1), 1)
    hub.tick(minutes(31), 2)
    assert "adv-1" not in hub.workflows.advice.retiring
    hub.tick(minutes(32), 3)
    hub = _restored(hub)
    hub.tick(minutes(91), 4)
    assert "adv-1" in hub.state.advice.requests
    hub.tick(minutes(92), 5)
    assert not hub.state.advice.requests


def test_decided_advice_does_not_expire_again() -> None:
    """Advice decided before it expires leaves a grace after the decision, as before."""
    hub = HubProjection(_thresholds())
    hub.apply(advice_requested("adv-1", minutes(0), needed_by=minutes(100)))
    hub.tick(minutes(1), 1)
    hub.apply(advice_validated("adv-1", minutes(2)))
    hub.tick(minutes(3), 2)
    assert not hub.workflows.advice.expiring
    hub.tick(minutes(63), 3)
    assert not hub.state.advice.requests


def test_an_unanswered_coordination_request_leaves_once_its_assistance_request_left() -> None:
    """Expired assistance leaves a grace later; its unanswered request a grace after that."""
    hub = HubProjection(_thresholds())
    hub.apply(capacity_reported("pump", minutes(0), source="vr18", available=5, total=10))
    hub.apply(assistance_requested("req-1", minutes(0), quantity=2, needed_by=minutes(30)))
    asked = hub.tick(minutes(1), 1).coordination
    assert [c.data.request_id for c in asked] == ["req-1/vr18"]
    sid = "coordination-unacknowledged/req-1/vr18"
    raised = hub.tick(minutes(31), 2)
    assert sid in {s.data.signal_id for s in raised.signals}
    hub.tick(minutes(91), 3)  # the assistance request leaves: its coordination is released
    assert "req-1" not in hub.state.assistance.requests
    assert "req-1/vr18" in hub.state.coordination.requests
    hub.tick(minutes(150), 4)
    assert sid in hub.signal_book.active
    resolved = hub.tick(minutes(151), 5)
    assert not hub.state.coordination.requests
    assert [(s.data.signal_id, s.type) for s in resolved.signals] == [
        (sid, "nl.kcr.escalation.resolved")
    ]


def test_capacity_views_are_computed_only_for_the_types_that_may_have_changed() -> None:
    """A tick without a report computes no capacity view; a report or a stale moment, one type.

    Staleness depends on time, so each type waits for the moment its next report goes stale
    instead of every type being recomputed at every tick.
    """
    hub = HubProjection(_thresholds())
    computed: list[str] = []
    national = hub.state.capacity.national

    def counting(resource_type: str, *args: Any) -> Any:
        computed.append(resource_type)
        return national(resource_type, *args)

    hub.state.capacity.national = counting  # type: ignore[method-assign,assignment]
    for n, org in enumerate(("vr17", "vr18", "vr20")):
        hub.apply(capacity_reported("pump", minutes(0), source=org, available=n))
        hub.apply(capacity_reported("bus", minutes(0), source=org, available=n))
    hub.tick(minutes(1), 1)
    assert sorted(set(computed)) == ["bus", "pump"]  # the views, and the capacity rule
    computed.clear()
    hub.apply(heartbeat(minutes(2)))
    hub.tick(minutes(2), 2)
    assert computed == []
    hub.apply(capacity_reported("bus", minutes(3), source="vr18", available=7))
    hub.tick(minutes(3), 3)
    assert set(computed) == {"bus"}
    computed.clear()
    hub.tick(minutes(46), 4)  # the reports of minute 0 are stale after 45 minutes
    assert sorted(set(computed)) == ["bus", "pump"]
    views = {r.key: r.view for r in hub.tick(minutes(49), 5).views}
    assert "resource/bus" in views  # the report of minute 3 went stale
    assert views["resource/bus"].stale_orgs == ("vr17", "vr18", "vr20")  # type: ignore[attr-defined]
