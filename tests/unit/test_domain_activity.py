"""The activity projection: when each organisation was last heard from."""

from __future__ import annotations

import json
from datetime import timedelta

from hub.domain.activity import ActivityProjection
from hub.domain.testing import capacity_reported, heartbeat, incident_reported, minutes

FIVE = timedelta(minutes=5)


def test_any_event_counts_as_a_sign_of_life() -> None:
    """Heartbeats and other events alike move an organisation's last-seen time."""
    activity = ActivityProjection()
    activity.apply(heartbeat(minutes(0)))
    activity.apply(incident_reported("inc-1", minutes(3)))
    activity.apply(capacity_reported("pump", minutes(1), source="vr18"))
    assert activity.last_seen("vr19") == minutes(3)
    assert activity.last_seen("vr18") == minutes(1)
    assert activity.last_seen("vr17") is None


def test_latest_wins_in_any_order_and_duplicates_change_nothing() -> None:
    """An older or repeated event never moves last-seen back."""
    late, early = heartbeat(minutes(4)), heartbeat(minutes(2))
    activity = ActivityProjection()
    for event in (late, early, late):
        activity.apply(event)
    assert (activity.last_seen("vr19"), activity.last_event_id("vr19")) == (minutes(4), late.id)


def test_gateway_stamp_is_preferred_to_the_source_time() -> None:
    """The hub's ingested_at (the ticks' clock) is used when the event carries it."""
    activity = ActivityProjection()
    activity.apply(heartbeat(minutes(0)).with_ingested_at(minutes(2)))
    assert activity.last_seen("vr19") == minutes(2)


def test_silence_is_strictly_longer_than_the_limit() -> None:
    """Exactly five minutes after the last event is not silent; a moment later it is."""
    activity = ActivityProjection()
    activity.apply(heartbeat(minutes(0)))
    activity.note_tick(minutes(0))
    assert not activity.is_silent("vr19", minutes(5), FIVE)
    assert activity.is_silent("vr19", minutes(5) + timedelta(microseconds=1), FIVE)


def test_never_seen_counts_from_the_first_tick() -> None:
    """Before any tick nobody is silent; afterwards the unseen count from the first tick."""
    activity = ActivityProjection()
    assert activity.silent_for("vr07", minutes(100)) is None
    activity.note_tick(minutes(10))
    activity.note_tick(minutes(20))
    assert activity.silent_for("vr07", minutes(16)) == timedelta(minutes=6)
    assert not activity.is_silent("vr07", minutes(15), FIVE)
    assert activity.is_silent("vr07", minutes(16), FIVE)


def test_snapshot_round_trip() -> None:
    """A restored projection knows the same last-seen times and start of observation."""
    activity = ActivityProjection()
    activity.apply(heartbeat(minutes(1)))
    activity.note_tick(minutes(2))
    restored = ActivityProjection.from_snapshot(json.loads(json.dumps(activity.to_snapshot())))
    assert restored.last_seen("vr19") == minutes(1)
    assert restored.last_event_id("vr19") == activity.last_event_id("vr19")
    assert restored.started_at == minutes(2)
