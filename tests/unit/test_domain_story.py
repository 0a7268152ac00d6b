"""The issue's story, given/when/then: pumps for a flood in Zeeland, and evacuation advice.

A flood in Zeeland (vr19) asks for 40 pumps. Its neighbours Rotterdam-Rijnmond (vr17) and
Midden- en West-Brabant (vr20) are asked first; they offer 25 and 20; Zeeland accepts 25 and
20, the second capped at the 15 still needed, which fulfils the request once and commits 40
pumps in the capacity view. The Ministry of Justice and Security asks for advice on evacuating
12,000 people in Zeeland; the draft goes to the NCC and LOCC only; the LOCC validates it and
the advice reaches the ministry's outbox and nobody else's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.outputs import (
    AdviceDrafted,
    AdvicePublished,
    AssistanceFulfilled,
    ResourceCapacityView,
)
from hub.domain import HubProjection, TickOutputs
from hub.domain.testing import (
    advice_requested,
    advice_validated,
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    capacity_reported,
    coordination_acknowledged,
    incident_reported,
    minutes,
    quiet_thresholds,
)

QUIET = quiet_thresholds()


def _capacity(resource_type: str, source: str, available: int) -> EventEnvelope:
    """Return ``source``'s report of ``available`` units of ``resource_type``."""
    return capacity_reported(
        resource_type, minutes(0), source=source, total=available, available=available
    )


GIVEN: list[EventEnvelope] = [
    incident_reported("inc-z", minutes(0), title="Dijkdoorbraak", grip_level="4"),
    _capacity("pump", "vr19", 5),
    _capacity("pump", "vr17", 30),
    _capacity("pump", "vr20", 20),
    _capacity("pump", "vr18", 15),
    _capacity("pump", "vr01", 40),
    _capacity("shelter_place", "vr19", 2000),
    _capacity("shelter_place", "vr20", 8000),
    _capacity("shelter_place", "vr21", 5000),
    _capacity("bus", "vr19", 100),
    _capacity("bus", "vr20", 200),
    _capacity("ambulance", "vr19", 30),
    _capacity("police_unit", "vr19", 10),
]
WHEN_REQUESTED: list[EventEnvelope] = [
    assistance_requested("req-pumps", minutes(1), quantity=40, incident_id="inc-z"),
]
WHEN_ANSWERED: list[EventEnvelope] = [
    coordination_acknowledged("req-pumps/vr17", minutes(3), source="vr17", response="accepted"),
    assistance_offered("req-pumps", minutes(4), source="vr17", quantity=25),
    assistance_offered("req-pumps", minutes(4), source="vr20", quantity=20),
    assistance_accepted("req-pumps", minutes(5), offer_id="vr17-offer", quantity=25),
    assistance_accepted("req-pumps", minutes(5), offer_id="vr20-offer", quantity=20),
    advice_requested(
        "adv-evac", minutes(5), source="min-jenv", region="vr19", parameters={"people": 12000}
    ),
]
WHEN_VALIDATED: list[EventEnvelope] = [
    advice_validated("adv-evac", minutes(7), note="Uitvoerbaar met bijstand")
]
BATCHES: list[list[EventEnvelope]] = [GIVEN + WHEN_REQUESTED, WHEN_ANSWERED, WHEN_VALIDATED]
TICKS = (minutes(2), minutes(6), minutes(8))
"""The clock tick after each batch."""


def _play(batches: Sequence[Sequence[EventEnvelope]]) -> tuple[HubProjection, list[TickOutputs]]:
    """Apply each batch, then tick at its time in TICKS; return the hub and the outputs."""
    hub = HubProjection(QUIET)
    outputs = []
    for n, (batch, now) in enumerate(zip(batches, TICKS[: len(batches)], strict=True)):
        hub.apply_all(batch)
        outputs.append(hub.tick(now, n))
    return hub, outputs


def _event_outboxes(outputs: TickOutputs) -> dict[str, list[str]]:
    """Return per organisation the types of the output events its outbox receives."""
    return {
        org: types
        for org, items in outputs.outboxes().items()
        if (types := [i.type for i in items if isinstance(i, EventEnvelope)])
    }


def test_neighbours_are_asked_first_for_the_pumps() -> None:
    """Given the flood and capacity, when vr19 asks 40 pumps, vr17 and vr20 are asked."""
    _, (requested, _, _) = _play(BATCHES)
    assert [(c.recipients, c.data.quantity) for c in requested.coordination] == [
        (("vr17",), 30),
        (("vr20",), 10),
    ]
    boxes = _event_outboxes(requested)
    assert boxes["vr17"] == ["nl.kcr.coordination.requested"]
    assert boxes["vr20"] == ["nl.kcr.coordination.requested"]
    assert all("coordination" not in t for org, types in boxes.items() for t in types
               if org not in ("vr17", "vr20"))  # fmt: skip


def test_offers_and_acceptance_fulfil_the_request_once() -> None:
    """When 25 + 20 are offered and accepted, the request is fulfilled once, 40 committed."""
    hub, (_, answered, validated) = _play(BATCHES)
    (fulfilled,) = answered.assistance
    assert isinstance(fulfilled, AssistanceFulfilled)
    assert (fulfilled.data.accepted, fulfilled.recipients) == (40, ("vr19",))
    assert validated.assistance == []
    assert answered.coordination == []
    views = {r.key: r.view for r in hub.published_views()}
    pumps = views["resource/pump"]
    assert isinstance(pumps, ResourceCapacityView)
    assert pumps.committed == 40
    assert {o.org_id: o.committed for o in pumps.per_organisation if o.committed} == {
        "vr17": 25,
        "vr20": 15,
    }
    assert list(hub.state.coordination.unacknowledged()) == []


def test_evacuation_advice_is_drafted_for_the_validators_only() -> None:
    """The ministry's request is drafted with numbers per type, to the NCC and LOCC only."""
    _, (_, answered, _) = _play(BATCHES)
    (drafted,) = answered.advice
    assert isinstance(drafted, AdviceDrafted)
    assert (drafted.tlp, drafted.recipients) == (Tlp.RED, ("ncc", "locc"))
    assert drafted.data.verdict == "feasible_with_assistance"
    assert drafted.data.needs_assistance == ("shelter_place", "bus")
    assert [(line.resource_type, line.need) for line in drafted.data.lines] == [
        ("shelter_place", 12000), ("bus", 240), ("ambulance", 24), ("police_unit", 6),
    ]  # fmt: skip
    receivers = {org for org, types in _event_outboxes(answered).items() if any(
        t == "nl.kcr.advice.drafted" for t in types)}  # fmt: skip
    assert receivers == {"ncc", "locc"}


def test_validated_advice_reaches_the_ministry_and_nobody_else() -> None:
    """When the LOCC validates, the advice goes to min-jenv's outbox only."""
    _, (_, answered, validated) = _play(BATCHES)
    (published,) = validated.advice
    assert isinstance(published, AdvicePublished)
    assert (published.data.validated_by, published.data.draft) == (
        "locc", answered.advice[0].data,
    )  # fmt: skip
    assert _event_outboxes(validated) == {"min-jenv": ["nl.kcr.advice.published"]}


def _shuffled(data: st.DataObject, batch: Sequence[EventEnvelope]) -> list[EventEnvelope]:
    """Return ``batch`` in a random order that keeps each aggregate's events in order."""
    queues: dict[tuple[str, str], list[EventEnvelope]] = {}
    for event in batch:
        queues.setdefault((event.family, event.subject), []).append(event)
    slots = [key for key, queue in queues.items() for _ in queue]
    return [queues[key].pop(0) for key in data.draw(st.permutations(slots))]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_story_does_not_depend_on_the_order_of_aggregates(data: st.DataObject) -> None:
    """Any interleaving of aggregates between the ticks gives exactly the same outputs."""
    shuffled = [_shuffled(data, batch) for batch in BATCHES]
    assert _play(shuffled)[1] == _play(BATCHES)[1]


@pytest.mark.parametrize("cut", [1, 2])
def test_snapshot_between_ticks_continues_the_story_the_same(cut: int) -> None:
    """Snapshot after any tick, restore from JSON, continue: the same outputs and views."""
    whole, uninterrupted = _play(BATCHES)
    first, before = _play(BATCHES[:cut])
    hub = HubProjection.from_snapshot(json.loads(json.dumps(first.to_snapshot())), QUIET)
    after = []
    for n in range(cut, len(BATCHES)):
        hub.apply_all(BATCHES[n])
        after.append(hub.tick(TICKS[n], n))
    assert before + after == uninterrupted
    assert hub.published_views() == whole.published_views()
