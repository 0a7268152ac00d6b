"""The situation projection: incidents reported, updated and closed, with their sitreps."""

from __future__ import annotations

import json

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.incident import Severity
from hub.domain.situation import CLOSED, SituationChanges, SituationProjection
from hub.domain.testing import (
    incident_closed,
    incident_reported,
    incident_updated,
    minutes,
    sitrep_published,
)


def _projection(*events: EventEnvelope) -> SituationProjection:
    """Return a projection with ``events`` applied in order."""
    projection = SituationProjection()
    for event in events:
        projection.apply(event)
    return projection


def test_report_creates_an_active_incident() -> None:
    """Given a report, the incident is active with the reported fields and its reporter."""
    report = incident_reported("inc-1", minutes(0), grip_level="2", affected_people=40)
    state = _projection(report).incidents["inc-1"]
    assert (state.status, state.grip_level, state.affected_people) == ("active", "2", 40)
    assert (state.reported_by, state.reported_event_id, state.grip_event_id) == (
        "vr19", report.id, report.id,
    )  # fmt: skip
    assert state.updated_at == minutes(0)


def test_update_changes_only_the_fields_it_gives() -> None:
    """An update with a new GRIP level keeps severity and people; it names the GRIP event."""
    update = incident_updated("inc-1", minutes(5), status="escalating", grip_level="3")
    state = _projection(
        incident_reported("inc-1", minutes(0), severity="severe", affected_people=40), update
    ).incidents["inc-1"]
    assert (state.status, state.grip_level, state.severity) == ("escalating", "3", Severity.SEVERE)
    assert (state.affected_people, state.grip_event_id, state.updated_at) == (
        40, update.id, minutes(5),
    )  # fmt: skip


def test_update_with_the_same_grip_keeps_the_grip_evidence() -> None:
    """Repeating the current GRIP level does not move the evidence of the level."""
    report = incident_reported("inc-1", minutes(0), grip_level="3")
    projection = _projection(report, incident_updated("inc-1", minutes(5), grip_level="3"))
    assert projection.incidents["inc-1"].grip_event_id == report.id


def test_closed_incident_stays_but_leaves_the_active_indexes() -> None:
    """A closed incident keeps its state with status closed and is no longer active anywhere."""
    projection = _projection(
        incident_reported("inc-1", minutes(0)),
        incident_closed("inc-1", minutes(9), closed_at=minutes(8)),
    )
    state = projection.incidents["inc-1"]
    assert (state.status, state.closed_at, state.active) == (CLOSED, minutes(8), False)
    assert list(projection.active_in_region("vr19")) == []
    assert dict(projection.active_by_category()) == {}


def test_updates_of_unknown_or_closed_incidents_are_ignored_and_counted() -> None:
    """Updates and closures of unknown or closed incidents, and second reports, are counted."""
    projection = _projection(
        incident_updated("ghost", minutes(0)),
        incident_closed("ghost", minutes(0)),
        incident_reported("inc-1", minutes(0)),
        incident_reported("inc-1", minutes(1), title="Again"),
        incident_closed("inc-1", minutes(2)),
        incident_updated("inc-1", minutes(3), grip_level="4"),
    )
    assert projection.ignored == 4
    assert projection.incidents["inc-1"].grip_level == "1"
    assert set(projection.incidents) == {"inc-1"}


def test_moving_regions_moves_the_incident_between_region_indexes() -> None:
    """An update with new regions re-indexes the incident; both regions are touched."""
    projection = _projection(incident_reported("inc-1", minutes(0)))
    projection.take_changes()
    projection.apply(incident_updated("inc-1", minutes(1), regions=["vr18", "vr17"]))
    assert [s.incident_id for s in projection.active_in_region("vr18")] == ["inc-1"]
    assert list(projection.active_in_region("vr19")) == []
    assert projection.take_changes() == SituationChanges(
        {"inc-1"}, {"vr19", "vr18", "vr17"}, {"flood"}
    )
    assert not projection.take_changes()


def test_duplicate_update_changes_nothing() -> None:
    """An update applied again after a later one does not roll the incident back."""
    first = incident_updated("inc-1", minutes(1), grip_level="3")
    projection = _projection(
        incident_reported("inc-1", minutes(0)),
        first,
        incident_updated("inc-1", minutes(2), grip_level="4"),
        first,
    )
    assert projection.incidents["inc-1"].grip_level == "4"
    assert projection.ignored == 0


def test_latest_sitrep_wins_whatever_the_order() -> None:
    """The sitrep with the latest time is kept, even if it arrived first or before the report."""
    early = sitrep_published("s1", minutes(1), incident_id="inc-1")
    late = sitrep_published("s2", minutes(2), incident_id="inc-1")
    report = incident_reported("inc-1", minutes(0))
    for order in ([report, early, late], [late, early, report], [early, late, late]):
        sitrep = _projection(*order).sitreps["inc-1"]
        assert (sitrep.sitrep_id, sitrep.published_at) == ("s2", minutes(2))


def test_sitrep_without_incident_is_not_kept() -> None:
    """A sitrep that is about no incident has no place in the incident views."""
    assert _projection(sitrep_published("s1", minutes(1))).sitreps == {}


def test_snapshot_round_trip_keeps_state_and_indexes() -> None:
    """A restored projection has the same incidents, sitreps, indexes and duplicate window."""
    update = incident_updated("inc-2", minutes(3), grip_level="3")
    projection = _projection(
        incident_reported("inc-1", minutes(0)),
        incident_reported("inc-2", minutes(1), source="vr18", category="storm"),
        incident_closed("inc-1", minutes(2)),
        update,
        sitrep_published("s1", minutes(4), incident_id="inc-2"),
    )
    restored = SituationProjection.from_snapshot(json.loads(json.dumps(projection.to_snapshot())))
    assert restored.incidents == projection.incidents
    assert restored.sitreps == projection.sitreps
    assert {k: set(v) for k, v in restored.active_by_category().items()} == {"storm": {"inc-2"}}
    restored.apply(incident_updated("inc-2", minutes(5), grip_level="4"))
    restored.apply(update)
    assert restored.incidents["inc-2"].grip_level == "4"


def test_duplicate_window_is_bounded() -> None:
    """Only the most recent ids are remembered: memory stays bounded, old ids are forgotten."""
    projection = SituationProjection(dedupe_window=2)
    first = incident_reported("inc-1", minutes(0))
    for event in (
        first,
        incident_updated("inc-1", minutes(1)),
        incident_updated("inc-1", minutes(2)),
    ):
        projection.apply(event)
    recent = projection.to_snapshot()["recent"]
    assert [key for bucket in recent["buckets"].values() for key in bucket["ids"]] == [
        ["vr19", incident_updated("inc-1", minutes(n)).id] for n in (1, 2)
    ]
