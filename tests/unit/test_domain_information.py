"""Information requests: fan-out per addressee, answers, one reminder each, overdue signal."""

from __future__ import annotations

import json
from typing import Any

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import InformationForwarded, InformationSummarised
from hub.domain import HubProjection, TickOutputs
from hub.domain.testing import (
    information_provided,
    information_requested,
    minutes,
    quiet_thresholds,
)

QUIET = quiet_thresholds()
REGIONS = load_registry().region_ids()


def _hub(*events: EventEnvelope) -> HubProjection:
    """Return a quiet hub with ``events`` applied."""
    hub = HubProjection(QUIET)
    hub.apply_all(events)
    return hub


def _ask(**data: Any) -> EventEnvelope:
    """Return the NCC's question to vr17, vr19 and min-jenv, due at minute 60."""
    fields: dict[str, Any] = {
        "addressees": ["vr17", "vr19", "min-jenv"],
        "respond_by": minutes(60),
        **data,
    }
    return information_requested("info-1", minutes(0), **fields)


def _by_type(outputs: TickOutputs) -> dict[str, list[str]]:
    """Return the recipients of a tick's information outputs, by verb."""
    found: dict[str, list[str]] = {}
    for event in outputs.information:
        found.setdefault(event.type.rsplit(".", 1)[1], []).extend(event.recipients)
    return found


def _summary(outputs: TickOutputs) -> InformationSummarised:
    """Return the one summary a tick sent."""
    (summary,) = [e for e in outputs.information if isinstance(e, InformationSummarised)]
    return summary


def test_all_regions_is_fanned_out_to_each_region() -> None:
    """'all-regions' becomes one forwarded question per region, the requester summarised."""
    outputs = _hub(information_requested("info-1", minutes(0))).tick(minutes(1), 0)
    assert _by_type(outputs) == {"forwarded": list(REGIONS), "summarised": ["ncc"]}
    first = outputs.information[0]
    assert isinstance(first, InformationForwarded)
    assert (first.id, first.subject, first.data.addressee) == (
        "info-1/vr01:forwarded:0", "info-1", "vr01",
    )  # fmt: skip


def test_addressees_are_unique_and_never_the_requester() -> None:
    """Repeats are dropped; neither the requester nor the hub itself is asked."""
    hub = _hub(_ask(addressees=["ncc", "all-regions", "vr19", "hub", "locc"]))
    forwarded = _by_type(hub.tick(minutes(1), 0))["forwarded"]
    assert forwarded == [*REGIONS, "locc"]


def test_each_forwarded_question_reaches_only_its_addressee() -> None:
    """The router delivers every forwarded copy to its addressee and the summary to the asker."""
    outputs = _hub(_ask()).tick(minutes(1), 0)
    boxes = {
        org: types
        for org, items in outputs.outboxes().items()
        if (types := [e.type for e in items if isinstance(e, EventEnvelope)])
    }
    assert boxes == {
        "ncc": ["nl.kcr.information.summarised"],
        "vr17": ["nl.kcr.information.forwarded"],
        "vr19": ["nl.kcr.information.forwarded"],
        "min-jenv": ["nl.kcr.information.forwarded"],
    }


def test_one_reminder_per_silent_addressee_at_three_quarters() -> None:
    """At 75 % of the window each addressee without an answer is reminded, once."""
    hub = _hub(_ask(), information_provided("info-1", minutes(5), source="vr17"))
    hub.tick(minutes(1), 0)
    assert "reminded" not in _by_type(hub.tick(minutes(44), 1))
    assert _by_type(hub.tick(minutes(45), 2))["reminded"] == ["vr19", "min-jenv"]
    assert "reminded" not in _by_type(hub.tick(minutes(50), 3))


def test_the_overdue_summary_comes_by_time_alone() -> None:
    """Reminded and silent since, the request is summarised overdue once respond_by passed."""
    hub = _hub(_ask())
    hub.tick(minutes(1), 0)
    assert _by_type(hub.tick(minutes(45), 1))["reminded"] == ["vr17", "vr19", "min-jenv"]
    assert hub.tick(minutes(60), 2).information == []
    assert _summary(hub.tick(minutes(61), 3)).data.overdue


def test_answers_update_the_summary_for_the_requester() -> None:
    """Each new answer sends the requester a summary; answers of others are ignored."""
    hub = _hub(_ask())
    hub.tick(minutes(1), 0)
    hub.apply(information_provided("info-1", minutes(2), source="vr19", answer="300 places"))
    hub.apply(information_provided("info-1", minutes(2), source="vr20"))
    summary = _summary(hub.tick(minutes(3), 1))
    assert summary.recipients == ("ncc",)
    assert [(a.org_id, a.answer) for a in summary.data.answered] == [("vr19", "300 places")]
    assert (summary.data.outstanding, summary.data.overdue) == (("vr17", "min-jenv"), False)
    assert hub.tick(minutes(4), 2).information == []
    assert hub.state.information.ignored == 1


def test_overdue_addressees_raise_a_signal_for_the_requester() -> None:
    """After respond_by the silent addressees are listed in a signal, resolved once they answer."""
    hub = _hub(_ask(), information_provided("info-1", minutes(5), source="vr17"))
    hub.tick(minutes(1), 0)
    outputs = hub.tick(minutes(61), 1)
    (signal,) = outputs.signals
    assert (signal.data.signal_id, signal.recipients, signal.data.regions) == (
        "information-overdue/info-1", ("ncc",), ("vr19",),
    )  # fmt: skip
    assert "Zeeland" in signal.data.details
    assert "min-jenv" in signal.data.details
    assert _summary(outputs).data.overdue
    hub.apply_all([
        information_provided("info-1", minutes(62), source="vr19"),
        information_provided("info-1", minutes(62), source="min-jenv"),
    ])  # fmt: skip
    later = hub.tick(minutes(63), 2)
    assert [s.type for s in later.signals] == ["nl.kcr.escalation.resolved"]
    assert not _summary(later).data.overdue


def test_request_from_a_role_that_may_not_ask_is_ignored() -> None:
    """A region may not send information requests; the domain checks it again."""
    hub = _hub(information_requested("info-2", minutes(0), source="vr19"))
    assert hub.tick(minutes(1), 0).information == []
    assert hub.state.information.ignored == 1


def test_snapshot_in_the_middle_continues_the_same() -> None:
    """Restored after the fan-out, the hub neither forwards again nor forgets the reminder."""
    events = [_ask(), information_provided("info-1", minutes(5), source="vr17")]
    hub = _hub(*events)
    hub.tick(minutes(1), 0)
    restored = HubProjection.from_snapshot(json.loads(json.dumps(hub.to_snapshot())), QUIET)
    assert restored.tick(minutes(45), 1) == hub.tick(minutes(45), 1)
    assert restored.tick(minutes(61), 2) == hub.tick(minutes(61), 2)
