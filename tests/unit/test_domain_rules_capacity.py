"""Rule capacity_shortfall: national availability under 20 %, or demand above availability."""

from __future__ import annotations

import pytest

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import SignalSeverity
from hub.contracts.reference import load_reference
from hub.domain.rules import capacity_shortfall
from hub.domain.state import HubState
from hub.domain.testing import (
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    assistance_withdrawn,
    capacity_reported,
    minutes,
)
from hub.domain.thresholds import load_thresholds

TH = load_thresholds()
NOW = minutes(10)
SID = "capacity-shortfall/pump"


def _state(*events: EventEnvelope) -> HubState:
    """Return the state after ``events``."""
    state = HubState.empty(load_registry(), load_reference())
    for event in events:
        state.apply(event)
    return state


def _pumps(total: int, available: int, source: str = "vr19", **data: object) -> EventEnvelope:
    """Return a pump capacity report at minute 0."""
    return capacity_reported(
        "pump", minutes(0), source=source, total=total, available=available, **data
    )


@pytest.mark.parametrize(
    ("available", "severity"),
    [(100, None), (20, None), (19, SignalSeverity.WARNING), (5, SignalSeverity.WARNING),
     (4, SignalSeverity.CRITICAL), (0, SignalSeverity.CRITICAL)],
)  # fmt: skip
def test_shortfall_under_twenty_percent_critical_under_five(
    available: int, severity: SignalSeverity | None
) -> None:
    """Exactly 20 % is fine, 19 % a warning; exactly 5 % still a warning, 4 % critical."""
    found = capacity_shortfall(_state(_pumps(100, available)), NOW, TH)
    assert [c.severity for c in found.values()] == ([] if severity is None else [severity])


def test_shortfall_is_over_all_organisations() -> None:
    """One organisation out of pumps is not a national shortfall when others have plenty."""
    state = _state(_pumps(10, 0), _pumps(10, 10, source="vr18"))
    assert capacity_shortfall(state, NOW, TH) == {}


def test_stale_reports_do_not_count() -> None:
    """A stale full report does not hide a shortfall in the fresh ones, nor make one."""
    stale_full = _pumps(90, 90, source="vr18", valid_until=minutes(5))
    found = capacity_shortfall(_state(_pumps(10, 1), stale_full), NOW, TH)
    assert found[SID].evidence == (_pumps(10, 1).id,)
    assert "vr18" in found[SID].details
    assert capacity_shortfall(_state(_pumps(10, 0, valid_until=minutes(5))), NOW, TH) == {}


def test_no_reports_means_no_percentage_signal() -> None:
    """A type with a total of zero raises nothing on the percentage."""
    assert capacity_shortfall(_state(_pumps(0, 0)), NOW, TH) == {}


def test_demand_above_availability_is_critical() -> None:
    """Open requests needing more than is available nationally raise a critical signal."""
    request = assistance_requested("req-1", minutes(1), source="vr20", quantity=6)
    found = capacity_shortfall(_state(_pumps(10, 5), request), NOW, TH)
    assert found[SID].severity is SignalSeverity.CRITICAL
    assert found[SID].regions == ("vr20",)
    assert found[SID].evidence[-1] == request.id
    assert "need 6" in found[SID].details


def test_demand_equal_to_availability_is_fine() -> None:
    """Requests needing exactly what is available raise nothing."""
    state = _state(_pumps(10, 5), assistance_requested("req-1", minutes(1), quantity=5))
    assert capacity_shortfall(state, NOW, TH) == {}


def test_demand_without_any_report_is_a_shortfall() -> None:
    """Units requested of a type nobody reported are more than the zero available."""
    found = capacity_shortfall(_state(assistance_requested("req-1", minutes(1))), NOW, TH)
    assert list(found) == [SID]


def test_accepted_and_withdrawn_requests_no_longer_demand() -> None:
    """Accepted units and withdrawn requests leave the outstanding demand."""
    accepted = _state(
        _pumps(10, 2),
        assistance_requested("req-1", minutes(1), quantity=5),
        assistance_offered("req-1", minutes(2)),
        assistance_accepted("req-1", minutes(3), quantity=3),
    )
    assert capacity_shortfall(accepted, NOW, TH) == {}
    withdrawn = _state(
        _pumps(10, 2),
        assistance_requested("req-1", minutes(1), quantity=5),
        assistance_withdrawn("req-1", minutes(2)),
    )
    assert capacity_shortfall(withdrawn, NOW, TH) == {}


def test_shortfall_clears_when_capacity_is_restored() -> None:
    """A new report with enough available clears the condition."""
    state = _state(_pumps(10, 1), capacity_reported("pump", minutes(5), total=10, available=8))
    assert capacity_shortfall(state, NOW, TH) == {}
