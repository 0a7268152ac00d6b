"""TLP of what else the hub derives: capacity, scenarios, sitreps, answers, moves by others.

Each test replays one way a label could have been lost (found in review) and shows it holds.
"""

from __future__ import annotations

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.outputs import EscalationEvent, IncidentView, ResourceCapacityView
from hub.domain import HubProjection, TickOutputs, ViewRecord
from hub.domain.testing import (
    advice_rejected,
    advice_requested,
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    incident_reported,
    incident_updated,
    information_provided,
    information_requested,
    minutes,
    quiet_hub,
    quiet_thresholds,
    scenario_defined,
    sitrep_published,
    subscription_changed,
)


def _texts(outputs: TickOutputs, org: str) -> str:
    items = outputs.outboxes().get(org, [])
    return " ".join((i.view if isinstance(i, ViewRecord) else i).model_dump_json() for i in items)


def _everyone_subscribed(*events: EventEnvelope) -> HubProjection:
    subscribe = [
        subscription_changed(minutes(0), org, add=["views", "signals"])
        for org in ("vr01", "vr02", "ncc", "locc")
    ]
    return quiet_hub(*subscribe, *events)


def test_a_red_assistance_request_feeds_no_shared_figure() -> None:
    """No shortfall signal, no committed units in the capacity view, from a RED request."""
    hub = quiet_hub(
        assistance_requested("req-red", minutes(1), "vr01", region="vr01", quantity=50,
                             tlp="RED", recipients=["vr02"]),
        assistance_offered("req-red", minutes(2), "vr02", offer_id="o-1", tlp="RED",
                           recipients=["vr01"]),
        assistance_accepted("req-red", minutes(3), "vr01", offer_id="o-1", tlp="RED",
                            recipients=["vr02"]),
    )  # fmt: skip
    outputs = hub.tick(minutes(4), 1)
    shortfall = [s for s in outputs.signals if s.data.rule == "capacity_shortfall"]
    assert shortfall == []
    capacity = [r.view for r in outputs.views if isinstance(r.view, ResourceCapacityView)]
    assert all(v.committed == 0 for v in capacity)


def test_a_move_by_another_organisation_widens_nothing() -> None:
    """vr01's AMBER_STRICT incident to [ncc], moved into vr02 by ncc: vr02 still sees nothing."""
    hub = _everyone_subscribed(
        incident_reported("inc-1", minutes(1), "vr01", regions=["vr01"], title="Secret title",
                          grip_level="3", tlp="AMBER_STRICT", recipients=["ncc"]),
        incident_updated("inc-1", minutes(2), "ncc", regions=["vr01", "vr02"], tlp="GREEN"),
    )  # fmt: skip
    outputs = hub.tick(minutes(3), 1)
    assert "Secret title" not in _texts(outputs, "vr02")
    assert "Secret title" in _texts(outputs, "ncc")


def test_a_red_decision_the_requester_may_not_see_decides_nothing() -> None:
    """Locc rejects vr01's advice RED to [ncc]: the reason never reaches vr01."""
    hub = quiet_hub(
        advice_requested("adv-1", minutes(0), "vr01"),
        advice_rejected("adv-1", minutes(1), "locc", reason="Internal: no", tlp="RED",
                        recipients=["ncc"]),
    )  # fmt: skip
    outputs = hub.tick(minutes(2), 1)
    assert "Internal: no" not in _texts(outputs, "vr01")
    assert all("Internal: no" not in a.model_dump_json() for a in outputs.advice)


def test_a_summary_quoting_a_strict_answer_stays_off_the_shared_topic() -> None:
    """vr05 answers AMBER_STRICT to [ncc]: ncc gets the summary, kcr.coordination does not."""
    hub = quiet_hub(
        information_requested("q-1", minutes(0), "ncc", addressees=["vr05"]),
        information_provided("q-1", minutes(1), "vr05", answer="Only for NCC",
                             tlp="AMBER_STRICT", recipients=["ncc"]),
    )  # fmt: skip
    outputs = hub.tick(minutes(2), 1)
    assert "Only for NCC" in _texts(outputs, "ncc")
    assert all("Only for NCC" not in e.model_dump_json() for e in outputs.information)
    assert "Only for NCC" not in _texts(outputs, "locc")


def test_a_scenario_signal_reaches_only_whom_its_metrics_allow() -> None:
    """An indicator reading vr02's GRIP does not reach vr01, whose region it also names."""
    hub = _everyone_subscribed(
        incident_reported("inc-2", minutes(1), "vr02", regions=["vr02"], grip_level="4"),
        scenario_defined("sc-1", minutes(1), "ncc", indicators={
            "i1": "situation.max_grip[vr02] >= 4 and situation.max_grip[vr01] >= 0"}),
    )  # fmt: skip
    outputs = hub.tick(minutes(2), 1)
    indicator = [
        s for items in outputs.outboxes().values() for s in items
        if isinstance(s, EscalationEvent) and s.data.rule == "scenario_indicator"
    ]  # fmt: skip
    assert indicator
    receivers = {o for o, items in outputs.outboxes().items() if set(items) & set(indicator)}
    assert "vr01" not in receivers
    assert "ncc" in receivers


def test_a_stricter_sitrep_is_not_shown_in_a_shared_incident_view() -> None:
    """A RED sitrep about an AMBER incident stays out of its view on the shared topic."""
    hub = quiet_hub(
        incident_reported("inc-3", minutes(1), "vr01", regions=["vr01"]),
        sitrep_published("sr-1", minutes(2), "vr01", incident_id="inc-3", summary="RED words",
                         tlp="RED", recipients=["ncc", "locc"]),
    )  # fmt: skip
    outputs = hub.tick(minutes(3), 1)
    (view,) = [r.view for r in outputs.views if isinstance(r.view, IncidentView)]
    assert view.last_sitrep is None


def test_outputs_of_a_red_request_finished_this_tick_stay_off_the_topic() -> None:
    """With no grace, a RED request leaves the state at the tick it ends: still restricted."""
    thresholds = quiet_thresholds().replace("live_state", finished_grace_minutes=0)
    hub = HubProjection(thresholds)
    hub.apply_all([
        assistance_requested("req-1", minutes(1), "vr01", region="vr01", quantity=5,
                             needed_by=minutes(2), tlp="RED", recipients=["locc"]),
    ])  # fmt: skip
    hub.tick(minutes(1), 1)
    outputs = hub.tick(minutes(600), 2)
    assert outputs.assistance == []
    expired = [e for items in outputs.outboxes().values() for e in items
               if getattr(e, "type", "") == "nl.kcr.assistance.expired"]  # fmt: skip
    assert expired
    assert all(e.tlp is Tlp.RED for e in expired)  # type: ignore[union-attr]
