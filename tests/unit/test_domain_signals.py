"""The signal book: raise once, update on change, resolve when the condition clears."""

from __future__ import annotations

import json

from hub.contracts.outputs import (
    EscalationRaised,
    EscalationResolved,
    EscalationUpdated,
    SignalSeverity,
)
from hub.domain.rules import Condition, signal_id
from hub.domain.signals import SignalBook
from hub.domain.testing import minutes

SID = "grip-high/inc-1"


def _condition(
    severity: SignalSeverity = SignalSeverity.WARNING, evidence: tuple[str, ...] = ("e1",)
) -> Condition:
    """Return a grip_high condition for inc-1 in vr19."""
    return Condition(
        "grip_high", severity, "GRIP 3 in Zeeland: Dijk", "At GRIP 3.", ("vr19",), evidence
    )


def test_new_condition_raises_once() -> None:
    """A condition raises its signal at the first tick and not again while it holds."""
    book = SignalBook()
    (raised,) = book.step({SID: _condition()}, minutes(1), 1)
    assert isinstance(raised, EscalationRaised)
    assert (raised.id, raised.subject, raised.time) == (f"{SID}:raised:1", SID, minutes(1))
    assert (raised.data.since, raised.data.observed_at, raised.data.evidence) == (
        minutes(1),
        minutes(1),
        ("e1",),
    )
    assert book.step({SID: _condition()}, minutes(2), 2) == []


def test_changed_condition_updates_and_keeps_since() -> None:
    """A new severity or new evidence updates the signal; since stays the first raise."""
    book = SignalBook()
    book.step({SID: _condition()}, minutes(1), 1)
    (updated,) = book.step({SID: _condition(SignalSeverity.CRITICAL)}, minutes(2), 2)
    assert isinstance(updated, EscalationUpdated)
    assert (updated.id, updated.data.severity, updated.data.since) == (
        f"{SID}:updated:2", SignalSeverity.CRITICAL, minutes(1),
    )  # fmt: skip
    (again,) = book.step({SID: _condition(SignalSeverity.CRITICAL, ("e1", "e2"))}, minutes(3), 3)
    assert again.data.evidence == ("e1", "e2")


def test_gone_condition_resolves_with_its_last_evidence() -> None:
    """When the condition no longer holds, the signal is resolved once, with its last state."""
    book = SignalBook()
    book.step({SID: _condition()}, minutes(1), 1)
    book.step({SID: _condition(evidence=("e1", "e2"))}, minutes(2), 2)
    (resolved,) = book.step({}, minutes(3), 3)
    assert isinstance(resolved, EscalationResolved)
    assert (resolved.data.evidence, resolved.data.since, resolved.data.observed_at) == (
        ("e1", "e2"), minutes(1), minutes(3),
    )  # fmt: skip
    assert book.step({}, minutes(4), 4) == []
    assert book.active == {}


def test_raised_again_after_resolving_is_a_new_raise() -> None:
    """A condition that returns after resolving is raised anew with a new since."""
    book = SignalBook()
    book.step({SID: _condition()}, minutes(1), 1)
    book.step({}, minutes(2), 2)
    (raised,) = book.step({SID: _condition()}, minutes(3), 3)
    assert isinstance(raised, EscalationRaised)
    assert raised.data.since == minutes(3)


def test_events_come_out_sorted_by_signal_id() -> None:
    """Within one tick, events are ordered by signal id, whatever the rules' order."""
    book = SignalBook()
    book.step({"b-rule/x": _condition(), "z-rule/x": _condition()}, minutes(1), 1)
    events = book.step(
        {"a-rule/x": _condition(), "z-rule/x": _condition(SignalSeverity.CRITICAL)}, minutes(2), 2
    )
    assert [(e.subject, e.type.rsplit(".", 1)[1]) for e in events] == [
        ("a-rule/x", "raised"), ("b-rule/x", "resolved"), ("z-rule/x", "updated"),
    ]  # fmt: skip


def test_snapshot_round_trip_continues_the_same() -> None:
    """A restored book neither re-raises nor forgets a signal."""
    book = SignalBook()
    book.step({SID: _condition()}, minutes(1), 1)
    restored = SignalBook.from_snapshot(json.loads(json.dumps(book.to_snapshot())))
    assert restored.step({SID: _condition()}, minutes(2), 2) == []
    (resolved,) = restored.step({}, minutes(3), 3)
    assert resolved.data.since == minutes(1)


def test_signal_id_of_a_very_long_key_stays_valid_and_stable() -> None:
    """A 200-character incident id gives a signal id within the contract, the same each time."""
    key = "inc-" + "x" * 196
    sid = signal_id("coordination_unacknowledged", key)
    assert len(sid) <= 160
    assert sid == signal_id("coordination_unacknowledged", key)
    assert sid != signal_id("coordination_unacknowledged", key[:-1] + "y")
    (raised,) = SignalBook().step({sid: _condition()}, minutes(1), 1_000_000)
    assert raised.data.signal_id == sid


def test_overlong_title_and_details_are_clipped() -> None:
    """Titles over 1,000 and details over 10,000 characters are cut to fit the contract."""
    condition = Condition("grip_high", SignalSeverity.INFO, "t" * 2_000, "d" * 20_000, (), ())
    assert (len(condition.title), len(condition.details)) == (1_000, 10_000)
