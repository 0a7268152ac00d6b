"""A scripted mini-crisis: the signals rise and clear in the order a coordinator expects."""

from __future__ import annotations

from collections.abc import Callable

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import RegionView
from hub.domain import HubProjection, load_thresholds
from hub.domain.testing import (
    capacity_reported,
    clock_ticked,
    heartbeat,
    incident_closed,
    incident_reported,
    incident_updated,
    minutes,
)

REGIONS = load_registry().region_ids()
Signal = tuple[int, str, str, str]
"""(minute, verb, signal id, severity)."""


def _flood(incident_id: str, minute: int, region: str, title: str, grip: str) -> EventEnvelope:
    """Return the report of a flood in ``region`` at ``minutes(minute)``."""
    return incident_reported(
        incident_id, minutes(minute), source=region, title=title, grip_level=grip,
        started_at=minutes(minute), affected_people=100,
    )  # fmt: skip


def _pumps(minute: int, region: str, available: int) -> EventEnvelope:
    """Return ``region``'s pump report: 20 in total, ``available`` of them available."""
    return capacity_reported("pump", minutes(minute), source=region, total=20, available=available)


SCRIPT: dict[int, Callable[[], list[EventEnvelope]]] = {
    0: lambda: [_pumps(0, "vr19", 15), _pumps(0, "vr18", 15)],
    1: lambda: [_flood("inc-z", 1, "vr19", "Dijkdoorbraak Kruiningen", "3")],
    2: lambda: [_flood("inc-h", 2, "vr18", "Hoogwater Dordrecht", "2")],
    3: lambda: [incident_updated("inc-z", minutes(3), source="vr19", grip_level="4")],
    4: lambda: [_pumps(4, "vr19", 2), _pumps(4, "vr18", 3)],
    12: lambda: [heartbeat(minutes(12), source="vr25")],
    13: lambda: [_pumps(13, "vr19", 18)],
    14: lambda: [incident_closed("inc-h", minutes(14), source="vr18")],
    15: lambda: [incident_updated("inc-z", minutes(15), source="vr19", grip_level="2")],
}
"""What happens at each minute; vr25 falls silent after minute 4 and is heard at minute 12."""


def _run() -> tuple[HubProjection, list[Signal]]:
    """Play the script: heartbeats of the regions and a clock tick every minute."""
    hub = HubProjection(load_thresholds().replace("silent_organisation", expected_partners=[]))
    signals: list[Signal] = []
    for minute in range(17):
        silent = {"vr25"} if 5 <= minute <= 11 else set()
        hub.apply_all(heartbeat(minutes(minute), source=r) for r in REGIONS if r not in silent)
        hub.apply_all(SCRIPT.get(minute, list)())
        outputs = hub.on_clock(clock_ticked(minute, minutes(minute)))
        signals += [
            (minute, s.type.rsplit(".", 1)[1], s.data.signal_id, s.data.severity.value)
            for s in outputs.signals
        ]
    return hub, signals


def test_mini_crisis_raises_updates_and_resolves_in_order() -> None:
    """GRIP 3 then 4, a second region, pumps running out, a silent region, then all clears."""
    _, signals = _run()
    assert signals == [
        (1, "raised", "grip-high/inc-z", "warning"),
        (2, "raised", "supra-regional/flood", "warning"),
        (3, "updated", "grip-high/inc-z", "critical"),
        (4, "raised", "capacity-shortfall/pump", "warning"),
        (10, "raised", "silent-organisation/vr25", "warning"),
        (12, "resolved", "silent-organisation/vr25", "warning"),
        (13, "resolved", "capacity-shortfall/pump", "warning"),
        (14, "resolved", "supra-regional/flood", "warning"),
        (15, "resolved", "grip-high/inc-z", "critical"),
    ]


def test_mini_crisis_signals_are_raised_once_and_all_resolved() -> None:
    """Every signal raised is resolved by the end and none is raised twice."""
    hub, signals = _run()
    raised = [sid for _, verb, sid, _ in signals if verb == "raised"]
    resolved = [sid for _, verb, sid, _ in signals if verb == "resolved"]
    assert sorted(raised) == sorted(resolved)
    assert len(set(raised)) == len(raised)
    assert hub.signal_book.active == {}


def test_mini_crisis_leaves_a_calm_picture() -> None:
    """At the end Zeeland has its incident at GRIP 2 and nobody is silent."""
    hub, _ = _run()
    views = {r.key: r.view for r in hub.published_views()}
    zeeland = views["region/vr19"]
    assert isinstance(zeeland, RegionView)
    assert (zeeland.active_incidents, zeeland.highest_grip) == (("inc-z",), "2")
    assert not any(isinstance(v, RegionView) and v.silent for v in views.values())
