"""TLP through derivation: nothing derived from an event reaches anyone who may not see it.

A property test over the whole projection: incidents of every TLP label and recipient set,
from several organisations, updated (by their owner or by another organisation), given
sitreps and closed; capacity reports of every label; every partner subscribed to every view
and signal. After every tick, for every outbox delivery and every record on the shared view
and signal topics, an independent oracle (each event judged by the router's rule) checks that
no incident id, title or sitrep summary reaches an organisation that may not see every event
it came from, that no such record carries a label wider than its inputs', and that the
region and national counts are exactly those of the incidents their whole audience may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.outputs.views import NationalSituationView, RegionView
from hub.domain.audience import strictest
from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.testing import (
    capacity_reported,
    heartbeat,
    incident_closed,
    incident_reported,
    incident_updated,
    minutes,
    sitrep_published,
    subscription_changed,
)
from hub.domain.views import ViewRecord

REGIONS = ("vr01", "vr02", "vr03", "vr04")
CENTRES = frozenset({"ncc", "locc"})
ORGS = (*REGIONS, "ncc", "locc", "min-bzk", "police")
READERS = CENTRES  # who reads the shared view and signal topics by role
VIEW_TLP = Tlp.AMBER


def _allowed(tlp: Tlp, recipients: tuple[str, ...], regions: tuple[str, ...]) -> set[str]:
    """The router's rule, written out again: who may receive something labelled ``tlp``."""
    if tlp is Tlp.RED:
        return set(recipients)
    if tlp is Tlp.AMBER_STRICT:
        return {*recipients, *regions}
    if tlp is Tlp.AMBER:
        return {*recipients, *regions, *CENTRES}
    return set(ORGS)


@dataclass
class _Truth:
    """One incident as the oracle sees it: its events, its owner, its regions now."""

    incident_id: str
    title: str
    owner: str
    regions: tuple[str, ...]
    events: list[tuple[EventEnvelope, tuple[str, ...]]] = field(default_factory=list)
    closed: bool = False
    sitrep: tuple[str, set[str]] | None = None  # summary, who may see the sitrep
    owner_regions: tuple[str, ...] = ()  # the regions its owner last gave it

    def __post_init__(self) -> None:
        self.owner_regions = self.regions

    def may_see(self, org: str) -> bool:
        """Whether ``org`` may see every event of the incident.

        The owner's events are judged for the regions the owner last gave it (a move by
        anyone else widens nothing); another organisation's for the regions it was about when
        sent.
        """
        for event, regions_then in self.events:
            regions = self.owner_regions if event.source == self.owner else regions_then
            if org != event.source and org not in _allowed(event.tlp, event.recipients, regions):
                return False
        return True

    def strictest(self) -> Tlp:
        """The strictest label of its events."""
        return strictest(*(event.tlp for event, _ in self.events))


labels = st.sampled_from(list(Tlp))
recipient_sets = st.lists(st.sampled_from(ORGS), unique=True, max_size=3).map(tuple)
region_sets = st.lists(st.sampled_from(REGIONS), unique=True, min_size=1, max_size=3).map(
    lambda rs: tuple(sorted(rs))
)


@st.composite
def _label(draw: st.DrawFn) -> dict[str, object]:
    tlp = draw(labels)
    recipients = draw(recipient_sets)
    if tlp is Tlp.RED and not recipients:
        recipients = (draw(st.sampled_from(ORGS)),)
    return {"tlp": tlp.value, "recipients": list(recipients)}


@st.composite
def _story(draw: st.DrawFn, number: int) -> list[tuple[str, dict[str, object]]]:
    """The steps of one incident: reported, then some of updated, sitrep, closed."""
    owner = draw(st.sampled_from(REGIONS))
    steps: list[tuple[str, dict[str, object]]] = [
        (
            "reported",
            {
                "source": owner,
                "regions": list(draw(region_sets)),
                "grip_level": draw(st.sampled_from(["1", "3", "4"])),
                **draw(_label()),
            },
        )
    ]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["updated", "updated", "sitrep"]))
        source = draw(st.sampled_from([owner, owner, *ORGS]))
        step: dict[str, object] = {"source": source, **draw(_label())}
        if kind == "updated" and draw(st.booleans()):
            step["regions"] = list(draw(region_sets))
        if kind == "updated" and draw(st.booleans()):
            step["grip_level"] = draw(st.sampled_from(["1", "3", "4"]))
        steps.append((kind, step))
    if draw(st.booleans()):
        steps.append(("closed", {"source": owner, **draw(_label())}))
    return steps


@st.composite
def _scenario(draw: st.DrawFn) -> tuple[list[list[tuple[str, dict[str, object]]]], list[int]]:
    count = draw(st.integers(1, 5))
    stories = [draw(_story(n)) for n in range(count)]
    order = draw(st.permutations([n for n, story in enumerate(stories) for _ in story]))
    return stories, list(order)


def _subscribe_everyone(projection: HubProjection) -> None:
    for org in ORGS:
        projection.apply(subscription_changed(minutes(0), org, add=["views", "signals"]))


def _text(item: ViewRecord | EventEnvelope) -> str:
    model = item.view if isinstance(item, ViewRecord) else item
    return model.model_dump_json()


def _check_tick(outputs: TickOutputs, truths: dict[str, _Truth]) -> None:
    for delivery in outputs.deliveries:
        text = _text(delivery.output)
        label = delivery.tlp if isinstance(delivery.output, ViewRecord) else None
        if isinstance(delivery.output, EventEnvelope):
            label = delivery.output.tlp
        for org in delivery.recipients:
            where = f"outbox of {org} ({text[:160]})"
            _check_mentions(text, truths, {org}, label, where)
        _check_counts(delivery.output, truths)
    for record in outputs.views:
        _check_mentions(_text(record), truths, READERS, VIEW_TLP, "the view topic")
        _check_counts(record, truths)
    for signal in outputs.signals:
        _check_mentions(_text(signal), truths, READERS, signal.tlp, "the signal topic")


def _check_mentions(
    text: str,
    truths: dict[str, _Truth],
    orgs: set[str] | frozenset[str],
    label: Tlp | None,
    where: str,
) -> None:
    for truth in truths.values():
        mentioned = truth.incident_id in text or truth.title in text
        if mentioned:
            blind = sorted(org for org in orgs if not truth.may_see(org))
            assert not blind, f"{truth.incident_id} reached {where}: {blind} may not see it"
            assert label is not None, f"{truth.incident_id} went to {where} without a label"
            assert strictest(label, truth.strictest()) is label, (
                f"{truth.incident_id} ({truth.strictest()}) went to {where} as {label}"
            )
        if truth.sitrep is not None and truth.sitrep[0] in text:
            summary, seeing = truth.sitrep
            blind = sorted(org for org in orgs if org not in seeing or not truth.may_see(org))
            assert not blind, f"sitrep {summary} reached {where}: {blind} may not see it"


def _check_counts(output: ViewRecord | EventEnvelope, truths: dict[str, _Truth]) -> None:
    if not isinstance(output, ViewRecord):
        return
    view = output.view
    shared = [
        t
        for t in truths.values()
        if not t.closed and strictest(t.strictest(), VIEW_TLP) is VIEW_TLP
    ]
    if isinstance(view, RegionView):
        audience = {view.region_id, *READERS, *CENTRES}
        expected = [
            t for t in shared if view.region_id in t.regions and all(t.may_see(o) for o in audience)
        ]
        assert view.active_count == len(expected), (view.region_id, view.active_count, expected)
    if isinstance(view, NationalSituationView):
        audience = {*READERS, *CENTRES}
        expected = [t for t in shared if all(t.may_see(o) for o in audience)]
        assert view.active_incidents == len(expected), (view.active_incidents, expected)


def _event(
    kind: str, truth: _Truth, step: dict[str, object], at: datetime, n: int
) -> EventEnvelope:
    data = dict(step)
    source = str(data.pop("source"))
    if kind == "reported":
        return incident_reported(truth.incident_id, at, source, title=truth.title, **data)
    if kind == "updated":
        return incident_updated(truth.incident_id, at, source, **data)
    if kind == "closed":
        return incident_closed(truth.incident_id, at, source, **data)
    summary = f"SUMMARY{n:03d}Z"
    return sitrep_published(
        f"sr-{n}", at, source, incident_id=truth.incident_id, summary=summary, **data
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=_scenario(), capacity=st.lists(st.tuples(st.sampled_from(ORGS), _label()), max_size=3)
)
def test_nothing_derived_reaches_an_organisation_that_may_not_see_its_inputs(
    scenario: tuple[list[list[tuple[str, dict[str, object]]]], list[int]],
    capacity: list[tuple[str, dict[str, object]]],
) -> None:
    """Every delivery and topic record, after every tick, against the oracle."""
    stories, order = scenario
    projection = HubProjection()
    _subscribe_everyone(projection)
    truths: dict[str, _Truth] = {}
    progress = [0] * len(stories)
    tick = 0
    for step_number, story_number in enumerate(order):
        kind, step = stories[story_number][progress[story_number]]
        progress[story_number] += 1
        at = minutes(1 + step_number)
        incident_id = f"INC{story_number:02d}Q"
        if kind == "reported":
            truths[incident_id] = _Truth(
                incident_id,
                f"Secret title {story_number:02d}",
                str(step["source"]),
                tuple(step["regions"]),  # type: ignore[arg-type]
            )
        truth = truths[incident_id]
        event = _event(kind, truth, step, at, step_number)
        projection.apply(event)
        if kind == "sitrep":
            seeing = {
                o
                for o in ORGS
                if o == event.source or o in _allowed(event.tlp, event.recipients, truth.regions)
            }
            truth.sitrep = (f"SUMMARY{step_number:03d}Z", seeing)
        elif not truth.closed:
            given: list[str] = step.get("regions") or list(truth.regions)  # type: ignore[assignment]
            regions_then = tuple(given)
            if kind == "updated":
                truth.regions = tuple(sorted(regions_then))
            if kind == "updated" and event.source == truth.owner and step.get("regions"):
                truth.owner_regions = truth.regions
            truth.events.append((event, regions_then))
            truth.closed = kind == "closed"
        if step_number % 2 == 1:
            tick += 1
            _ticked(projection, at, tick, truths)
    for n, (org, label) in enumerate(capacity):
        projection.apply(capacity_reported("pump", minutes(100 + n), org, **label))
    tick += 1
    outputs = _ticked(projection, minutes(200), tick, truths)
    for record in outputs.views:
        if record.kind == "capacity":
            _check_capacity(record, capacity)


def _ticked(
    projection: HubProjection, at: datetime, tick: int, truths: dict[str, _Truth]
) -> TickOutputs:
    """Tick and check every output; each incident view reaches exactly whom it should.

    That is every subscribed organisation the view's label reaches that may see the incident:
    no leak, and nobody left out.
    """
    before = {key: id(view) for key, view in projection.view_book.published.items()}
    outputs = projection.tick(at, tick)
    _check_tick(outputs, truths)
    delivered = {
        d.output.key: set(d.recipients)
        for d in outputs.deliveries
        if isinstance(d.output, ViewRecord)
    }
    for key, view in projection.view_book.published.items():
        if not key.startswith("incident/") or before.get(key) == id(view):
            continue
        truth = truths[key.removeprefix("incident/")]
        reach = {*truth.regions, *CENTRES}  # an AMBER view record about its regions
        expected = {org for org in ORGS if org in reach and truth.may_see(org)}
        assert delivered.get(key, set()) == expected, (key, delivered.get(key), expected)
    return outputs


def _check_capacity(record: ViewRecord, capacity: list[tuple[str, dict[str, object]]]) -> None:
    """The national capacity counts an organisation only for a report its readers may see.

    And only for a report labelled no stricter than the view.
    """
    counted = {entry.org_id for entry in record.view.per_organisation}  # type: ignore[attr-defined]
    for org in counted:
        shareable = [
            label
            for reporter, label in capacity
            if reporter == org and _shareable(org, Tlp(str(label["tlp"])), label)
        ]
        assert shareable, f"{org}'s capacity counted, but no report of it may be shared"


def _shareable(org: str, tlp: Tlp, label: dict[str, object]) -> bool:
    allowed = _allowed(tlp, tuple(label["recipients"]), ())  # type: ignore[arg-type]
    visible = all(o == org or o in allowed for o in READERS)
    return visible and strictest(tlp, VIEW_TLP) is VIEW_TLP


def test_a_red_event_does_not_show_as_a_sign_of_life() -> None:
    """The region view's last_seen (read by the national centres) ignores a RED event of vr07."""
    projection = HubProjection()
    projection.apply(incident_reported("vr07:x", minutes(1), "vr07", tlp="RED", recipients=["ncc"]))
    assert projection.state.activity.last_seen("vr07") is None
    projection.apply(heartbeat(minutes(2), "vr07"))
    assert projection.state.activity.last_seen("vr07") == minutes(2)
