"""The hub projection: events in, changed views and signals out at each tick, restartable."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs import (
    IncidentView,
    NationalSituationView,
    RegionView,
    ResourceCapacityView,
)
from hub.domain import HubProjection, TickOutputs, ViewRecord
from hub.domain.testing import (
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    capacity_reported,
    clock_ticked,
    coordination_acknowledged,
    heartbeat,
    incident_closed,
    incident_reported,
    incident_updated,
    minutes,
    quiet_thresholds,
    sitrep_published,
)

QUIET = quiet_thresholds(600)


def _hub(*events: EventEnvelope) -> HubProjection:
    """Return a hub projection (no silence within 10 hours) with ``events`` applied."""
    hub = HubProjection(QUIET)
    hub.apply_all(events)
    return hub


def _keys(outputs: TickOutputs) -> list[str]:
    """Return the keys of the views a tick published."""
    return [record.key for record in outputs.views]


def _content(records: Sequence[ViewRecord]) -> dict[str, dict[str, object]]:
    """Return the records by key without their tick stamps."""
    return {r.key: r.view.model_dump(exclude={"as_of", "tick"}) for r in records}


def test_first_tick_publishes_every_view() -> None:
    """The first tick publishes each incident, all 25 regions, the national view and capacity."""
    hub = _hub(incident_reported("inc-1", minutes(0)), capacity_reported("pump", minutes(0)))
    outputs = hub.tick(minutes(1), 0)
    keys = _keys(outputs)
    assert keys[0] == "incident/inc-1"
    assert keys[1:26] == [f"region/vr{n:02}" for n in range(1, 26)]
    assert keys[26:] == ["national", "resource/pump"]
    assert [r.kind for r in outputs.views] == ["situation"] * 27 + ["capacity"]
    assert all(r.view.as_of == minutes(1) and r.view.tick == 0 for r in outputs.views)


def test_later_ticks_publish_only_what_changed() -> None:
    """Without events nothing is published; an update publishes its incident, regions, national."""
    hub = _hub(incident_reported("inc-1", minutes(0)), capacity_reported("pump", minutes(0)))
    hub.tick(minutes(1), 0)
    assert hub.tick(minutes(2), 1) == TickOutputs(1, minutes(2))
    hub.apply(incident_updated("inc-1", minutes(2), affected_people=30))
    assert _keys(hub.tick(minutes(3), 2)) == ["incident/inc-1", "region/vr19", "national"]


def test_changes_between_ticks_are_coalesced_per_key() -> None:
    """Several updates of one incident between two ticks give one record with the last state."""
    hub = _hub(incident_reported("inc-1", minutes(0)))
    hub.tick(minutes(1), 0)
    for n, grip in enumerate(("2", "3", "2"), start=2):
        hub.apply(incident_updated("inc-1", minutes(n), grip_level=grip))
    (record,) = [r for r in hub.tick(minutes(9), 1).views if r.key == "incident/inc-1"]
    assert isinstance(record.view, IncidentView)
    assert (record.view.grip_level, record.view.updated_at, record.view.tick) == (
        "2",
        minutes(4),
        1,
    )


def test_a_change_undone_before_the_tick_publishes_nothing() -> None:
    """A region whose summary is back where it was, and not heard from, publishes no record."""
    hub = _hub(incident_reported("inc-1", minutes(0), grip_level="2"))
    hub.tick(minutes(1), 0)
    hub.apply(incident_updated("inc-1", minutes(2), source="ncc", grip_level="3"))
    hub.apply(incident_updated("inc-1", minutes(3), source="ncc", grip_level="2"))
    assert _keys(hub.tick(minutes(4), 1)) == ["incident/inc-1"]


def test_views_follow_the_situation() -> None:
    """Region and national views show the active incidents, highest GRIP and people affected."""
    hub = _hub(
        incident_reported("inc-1", minutes(0), grip_level="2", affected_people=10),
        incident_reported("inc-2", minutes(0), grip_level="4", category="storm", affected_people=5),
        incident_reported("inc-3", minutes(0), source="vr18", regions=["vr18", "vr19"]),
        incident_closed("inc-1", minutes(1)),
        sitrep_published("s1", minutes(2), incident_id="inc-2"),
        heartbeat(minutes(3)),
    )
    views = {r.key: r.view for r in hub.tick(minutes(4), 0).views}
    region = views["region/vr19"]
    assert isinstance(region, RegionView)
    assert (region.name, region.active_incidents, region.highest_grip) == (
        "Zeeland",
        ("inc-2", "inc-3"),
        "4",
    )
    assert (region.categories, region.affected_people, region.last_seen, region.silent) == (
        ("flood", "storm"), 5, minutes(3), False,
    )  # fmt: skip
    national = views["national"]
    assert isinstance(national, NationalSituationView)
    assert [(g.grip_level, g.regions) for g in national.regions_by_grip] == [
        ("1", ("vr18",)),
        ("4", ("vr19",)),
    ]
    assert [(c.category, c.incidents) for c in national.incidents_by_category] == [
        ("flood", ("inc-3",)), ("storm", ("inc-2",)),
    ]  # fmt: skip
    assert (national.total_affected, national.active_incidents) == (5, 2)
    closed, with_sitrep = views["incident/inc-1"], views["incident/inc-2"]
    assert isinstance(closed, IncidentView)
    assert isinstance(with_sitrep, IncidentView)
    assert (closed.status, closed.closed_at) == ("closed", minutes(1))
    assert with_sitrep.last_sitrep is not None
    assert with_sitrep.last_sitrep.sitrep_id == "s1"


def test_capacity_view_counts_assistance_and_staleness() -> None:
    """The capacity view sums fresh reports, adds accepted assistance and lists stale orgs."""
    hub = _hub(
        capacity_reported("pump", minutes(0), source="vr18", total=10, available=6),
        capacity_reported(
            "pump", minutes(0), source="vr17", total=5, available=5, valid_until=minutes(5)
        ),
        assistance_requested("req-1", minutes(1)),
        assistance_offered("req-1", minutes(2)),
        assistance_accepted("req-1", minutes(3), quantity=4),
    )
    (record,) = [r for r in hub.tick(minutes(6), 0).views if r.key == "resource/pump"]
    view = record.view
    assert isinstance(view, ResourceCapacityView)
    assert (view.unit, view.total, view.available, view.committed, view.stale_orgs) == (
        "piece",
        10,
        6,
        4,
        ("vr17",),
    )


def test_a_tick_not_above_the_last_is_ignored() -> None:
    """A redelivered tick produces nothing and changes nothing."""
    hub = _hub(incident_reported("inc-1", minutes(0), grip_level="4"))
    hub.tick(minutes(1), 5)
    hub.apply(incident_updated("inc-1", minutes(2), grip_level="2"))
    assert hub.tick(minutes(1), 5) == TickOutputs(5, minutes(1))
    assert hub.tick(minutes(1), 4).views == []
    assert [s.type for s in hub.tick(minutes(3), 6).signals] == ["nl.kcr.escalation.resolved"]


def test_on_clock_ticks_at_the_event_time() -> None:
    """A clock tick event is evaluated at its time and number; applying it changes nothing."""
    hub = _hub(incident_reported("inc-1", minutes(0), grip_level="3"))
    tick = clock_ticked(7, minutes(1))
    hub.apply(tick)
    outputs = hub.on_clock(tick)
    assert (outputs.tick, outputs.now) == (7, minutes(1))
    assert [s.id for s in outputs.signals] == ["grip-high/inc-1:raised:7"]


def test_duplicate_events_change_no_output() -> None:
    """Applying every event twice gives the same views and signals as applying it once."""
    events = _crisis_events()
    once, twice = _hub(*events), _hub(*events, *events)
    assert twice.tick(minutes(30), 0) == once.tick(minutes(30), 0)


def test_published_views_equal_a_recomputation() -> None:
    """What the compacted topics hold equals every view recomputed at the last tick."""
    hub = _hub()
    for n, event in enumerate(_crisis_events()):
        hub.apply(event)
        if n % 3 == 0:
            hub.tick(minutes(n), n)
    hub.tick(minutes(99), 99)
    assert _content(hub.published_views()) == _content(hub.views_all(minutes(99), 99))


def test_views_all_changes_nothing() -> None:
    """views_all is a read: the next tick still publishes everything first."""
    hub = _hub(incident_reported("inc-1", minutes(0)))
    everything = hub.views_all(minutes(1), 0)
    assert _keys(hub.tick(minutes(1), 0)) == [r.key for r in everything]


def _crisis_events() -> list[EventEnvelope]:
    """A small crisis over several aggregates: incidents, sitreps, capacity, assistance."""
    return [
        incident_reported("inc-1", minutes(0), grip_level="3", title="Dijkdoorbraak"),
        incident_reported("inc-2", minutes(1), source="vr18"),
        capacity_reported("pump", minutes(1), total=10, available=1),
        incident_updated("inc-1", minutes(2), grip_level="4", affected_people=200),
        sitrep_published("s1", minutes(3), incident_id="inc-1"),
        capacity_reported("pump", minutes(3), source="vr18", total=10, available=1),
        assistance_requested("req-1", minutes(4), quantity=8, needed_by=minutes(20)),
        incident_reported("inc-3", minutes(4), source="vr17", category="storm", grip_level="3"),
        assistance_offered("req-1", minutes(5), quantity=3),
        sitrep_published("s2", minutes(5), incident_id="inc-1", summary="Worse"),
        incident_closed("inc-2", minutes(6), source="vr18"),
        assistance_accepted("req-1", minutes(7), quantity=3),
        heartbeat(minutes(8), source="vr25"),
        coordination_acknowledged("co-1", minutes(9), source="vr17"),
        incident_updated("inc-3", minutes(9), source="vr17", grip_level="2"),
    ]


def _aggregate(event: EventEnvelope) -> tuple[str, str]:
    """Return the Kafka key of an event's log: family and subject."""
    return (event.family, event.subject)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_interleaving_aggregates_gives_the_same_outputs(data: st.DataObject) -> None:
    """Any interleaving that keeps each aggregate's order gives the same views and signals."""
    events = _crisis_events()
    queues: dict[tuple[str, str], list[EventEnvelope]] = {}
    for event in events:
        queues.setdefault(_aggregate(event), []).append(event)
    slots = [key for key, queue in queues.items() for _ in queue]
    order = data.draw(st.permutations(slots))
    shuffled = [queues[key].pop(0) for key in order]

    def run(stream: list[EventEnvelope]) -> TickOutputs:
        hub = _hub(*stream)
        hub.record_coordination_request("co-1", "vr17", minutes(5), "hub-1")
        hub.record_coordination_request("co-2", "vr16", minutes(5), "hub-2")
        return hub.tick(minutes(30), 0)

    assert run(shuffled) == run(events)


@pytest.mark.parametrize("cut", [0, 4, 9, 15])
def test_snapshot_restore_continue_equals_uninterrupted(cut: int) -> None:
    """Snapshot after any event, restore from JSON, continue: the outputs are the same."""
    events = _crisis_events()

    def steps(hub: HubProjection, start: int) -> list[TickOutputs]:
        outputs = []
        for n in range(start, len(events)):
            hub.apply(events[n])
            if n % 2:
                outputs.append(hub.tick(minutes(n), n))
        outputs.append(hub.tick(minutes(60), 60))
        return outputs

    uninterrupted = HubProjection()
    first = steps(uninterrupted, 0)
    interrupted = HubProjection()
    before: list[TickOutputs] = []
    for n in range(cut):
        interrupted.apply(events[n])
        if n % 2:
            before.append(interrupted.tick(minutes(n), n))
    restored = HubProjection.from_snapshot(json.loads(json.dumps(interrupted.to_snapshot())))
    assert before + steps(restored, cut) == first
    assert restored.published_views() == uninterrupted.published_views()


def test_snapshot_of_another_version_is_refused() -> None:
    """A snapshot in an unknown layout asks for a replay instead of guessing."""
    snapshot = HubProjection().to_snapshot()
    with pytest.raises(ValueError, match="replaying the log"):
        HubProjection.from_snapshot({**snapshot, "version": 0})
