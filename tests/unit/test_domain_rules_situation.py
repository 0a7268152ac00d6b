"""Rules over the situation: grip_high and supra_regional, at and around their thresholds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import SignalSeverity
from hub.contracts.reference import load_reference
from hub.domain.rules import grip_high, supra_regional
from hub.domain.rules.condition import MAX_EVIDENCE
from hub.domain.state import HubState
from hub.domain.testing import incident_closed, incident_reported, incident_updated, minutes
from hub.domain.thresholds import load_thresholds

TH = load_thresholds()
NOW = minutes(60)


def _state(*events: EventEnvelope) -> HubState:
    """Return the state after ``events``."""
    state = HubState.empty(load_registry(), load_reference())
    for event in events:
        state.apply(event)
    return state


@pytest.mark.parametrize(
    ("grip", "severity"),
    [("0", None), ("2", None), ("3", SignalSeverity.WARNING), ("4", SignalSeverity.CRITICAL),
     ("5", SignalSeverity.CRITICAL), ("RIJK", SignalSeverity.CRITICAL)],
)  # fmt: skip
def test_grip_high_from_level_three_critical_from_four(
    grip: str, severity: SignalSeverity | None
) -> None:
    """Below GRIP 3 nothing; GRIP 3 is a warning; GRIP 4 and up (RIJK highest) are critical."""
    found = grip_high(_state(incident_reported("inc-1", minutes(0), grip_level=grip)), NOW, TH)
    assert [c.severity for c in found.values()] == ([] if severity is None else [severity])


def test_grip_high_names_level_regions_and_title() -> None:
    """The title reads 'GRIP 4 in Zeeland: <title>'; evidence is report and GRIP update."""
    report = incident_reported("inc-vr19-0412", minutes(0), title="Dijkdoorbraak Kruiningen")
    update = incident_updated("inc-vr19-0412", minutes(5), grip_level="4")
    (sid, condition), *_ = grip_high(_state(report, update), NOW, TH).items()
    assert sid == "grip-high/inc-vr19-0412"
    assert condition.title == "GRIP 4 in Zeeland: Dijkdoorbraak Kruiningen"
    assert (condition.rule, condition.regions, condition.evidence) == (
        "grip_high", ("vr19",), (report.id, update.id),
    )  # fmt: skip
    assert (
        "GRIP Rijk"
        in grip_high(
            _state(report, incident_updated("inc-vr19-0412", minutes(6), grip_level="RIJK")),
            NOW,
            TH,
        )[sid].title
    )


@pytest.mark.parametrize(
    "clearing",
    [incident_updated("inc-1", minutes(9), grip_level="2"), incident_closed("inc-1", minutes(9))],
    ids=["downgraded", "closed"],
)
def test_grip_high_clears_when_downgraded_or_closed(clearing: EventEnvelope) -> None:
    """Downgraded to GRIP 2 or closed, the incident no longer raises grip_high."""
    state = _state(incident_reported("inc-1", minutes(0), grip_level="3"), clearing)
    assert grip_high(state, NOW, TH) == {}


def test_grip_high_threshold_is_configurable_by_rank() -> None:
    """With min_level RIJK only GRIP Rijk counts."""
    thresholds = TH.replace("grip_high", min_level="RIJK", critical_level="RIJK")
    state = _state(
        incident_reported("inc-1", minutes(0), grip_level="5"),
        incident_reported("inc-2", minutes(0), grip_level="RIJK"),
    )
    assert list(grip_high(state, NOW, thresholds)) == ["grip-high/inc-2"]


def _flood(incident_id: str, region: str, started: float, **data: object) -> EventEnvelope:
    """Return the report of a flood in ``region`` that started at ``minutes(started)``."""
    return incident_reported(
        incident_id, minutes(started), source=region, started_at=minutes(started), **data
    )


def test_supra_regional_needs_two_regions() -> None:
    """Two floods in one region are not supra-regional; one in another region makes it so."""
    one_region = _state(_flood("a", "vr19", 0), _flood("b", "vr19", 10))
    assert supra_regional(one_region, NOW, TH) == {}
    two = _state(_flood("a", "vr19", 0), _flood("b", "vr19", 10), _flood("c", "vr18", 20))
    condition = supra_regional(two, NOW, TH)["supra-regional/flood"]
    assert condition.regions == ("vr18", "vr19")
    assert condition.severity is SignalSeverity.WARNING
    assert condition.title == "Flood or high water in 2 regions: Zuid-Holland Zuid, Zeeland"
    assert len(condition.evidence) == 3


def test_supra_regional_window_is_inclusive_at_twelve_hours() -> None:
    """Starts exactly 12 h apart count together; 12 h and a second apart do not."""
    twelve = 12 * 60
    at_limit = _state(_flood("a", "vr19", 0), _flood("b", "vr18", twelve))
    beyond = _state(_flood("a", "vr19", 0), _flood("b", "vr18", twelve + 1 / 60))
    assert list(supra_regional(at_limit, NOW, TH)) == ["supra-regional/flood"]
    assert supra_regional(beyond, NOW, TH) == {}


def test_supra_regional_evidence_is_only_the_incidents_in_a_qualifying_window() -> None:
    """An early incident far from the cluster is not evidence."""
    state = _state(
        _flood("old", "vr17", 0), _flood("a", "vr19", 24 * 60), _flood("b", "vr18", 25 * 60)
    )
    condition = supra_regional(state, minutes(26 * 60), TH)["supra-regional/flood"]
    assert condition.regions == ("vr18", "vr19")
    assert len(condition.evidence) == 2


def test_supra_regional_counts_one_incident_across_two_regions() -> None:
    """A single incident that affects two regions is supra-regional too."""
    state = _state(_flood("a", "vr19", 0, regions=["vr19", "vr18"]))
    assert list(supra_regional(state, NOW, TH)) == ["supra-regional/flood"]


def test_supra_regional_categories_are_separate_and_closing_clears() -> None:
    """A storm and a flood are not one crisis; closing one flood of two clears the signal."""
    storm = incident_reported("s", minutes(0), source="vr18", category="storm")
    assert supra_regional(_state(_flood("a", "vr19", 0), storm), NOW, TH) == {}
    state = _state(
        _flood("a", "vr19", 0),
        _flood("b", "vr18", 5),
        incident_closed("b", minutes(9), source="vr18"),
    )
    assert supra_regional(state, NOW, TH) == {}


def test_supra_regional_is_critical_from_four_regions() -> None:
    """Four regions with the same crisis make the signal critical."""
    regions = ("vr17", "vr18", "vr19", "vr20")
    state = _state(*(_flood(f"f-{r}", r, i) for i, r in enumerate(regions)))
    assert (
        supra_regional(state, NOW, TH)["supra-regional/flood"].severity is SignalSeverity.CRITICAL
    )


def test_supra_regional_window_follows_the_thresholds() -> None:
    """With a 1-hour window, floods two hours apart do not count together."""
    thresholds = TH.replace("supra_regional", window_hours=1)
    state = _state(_flood("a", "vr19", 0), _flood("b", "vr18", 120))
    assert supra_regional(state, NOW + timedelta(hours=2), thresholds) == {}


def test_a_supra_regional_signal_of_many_incidents_stays_a_small_record() -> None:
    """200 floods in 25 regions: 20 named and the rest counted, 50 ids of evidence, earliest first.

    Every change of the signal goes to the signal topic and to every outbox it concerns, so it
    must not grow with the number of incidents (it would pass Kafka's record limit).
    """
    regions = [f"vr{n:02d}" for n in range(1, 26)]
    floods = [_flood(f"f{n:03d}", regions[n % 25], n / 10) for n in range(200)]
    condition = supra_regional(_state(*floods), NOW, TH)["supra-regional/flood"]
    assert len(condition.regions) == 25
    assert condition.evidence == tuple(e.id for e in floods[:MAX_EVIDENCE])
    assert "f019 in" in condition.details
    assert "f020 in" not in condition.details
    assert condition.details.endswith("; and 180 more (see the situation view).")
    assert len(condition.details) < 2_000
