"""Scenario monitoring: indicator views on change, signals while tripped, invalid, retired."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.scenario import ScenarioDefined
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import ScenarioView
from hub.contracts.reference import load_reference
from hub.domain import HubProjection, TickOutputs
from hub.domain.conditions import Metric, parse_condition
from hub.domain.monitoring import MetricReader
from hub.domain.testing import (
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    capacity_reported,
    incident_reported,
    minutes,
    quiet_thresholds,
    scenario_defined,
    scenario_retired,
)

Example = Callable[[str], dict[str, Any]]
QUIET = quiet_thresholds()
STORM = {
    "pumps-short": "capacity.available[pump] < 20",
    "zeeland": "situation.max_grip[vr19] >= 4 and situation.affected[vr19] > 100",
}


def _hub(*events: EventEnvelope) -> HubProjection:
    """Return a quiet hub with ``events`` applied."""
    hub = HubProjection(QUIET)
    hub.apply_all(events)
    return hub


def _pumps(minute: int, available: int) -> EventEnvelope:
    """Return vr18's pump report at ``minute``: 100 in total, ``available`` available."""
    return capacity_reported("pump", minutes(minute), source="vr18", total=100, available=available)


def _scenario(outputs: TickOutputs) -> ScenarioView | None:
    """Return the scenario view a tick published, if any."""
    views = [r for r in outputs.views if r.kind == "scenarios"]
    if not views:
        return None
    (record,) = views
    assert record.key == f"scenario/{record.view.scenario_id}"  # type: ignore[attr-defined]
    assert isinstance(record.view, ScenarioView)
    return record.view


def _signals(outputs: TickOutputs) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return (verb, signal id, regions) of a tick's scenario_indicator signals."""
    return [
        (s.type.rsplit(".", 1)[1], s.data.signal_id, s.data.regions)
        for s in outputs.signals
        if s.data.rule == "scenario_indicator"
    ]


def _state(view: ScenarioView | None) -> dict[str, tuple[bool, object]]:
    """Return per indicator (tripped, since)."""
    assert view is not None
    return {i.indicator_id: (i.tripped, i.since) for i in view.indicators}


def test_view_shows_each_indicator_and_its_observed_values() -> None:
    """The first tick publishes the scenario with every indicator's state and values."""
    hub = _hub(_pumps(0, 50), scenario_defined("scn-1", minutes(0), indicators=STORM))
    view = _scenario(hub.tick(minutes(1), 0))
    assert view is not None
    assert (view.status, view.error, view.defined_by) == ("active", None, "ncc")
    assert _state(view) == {"pumps-short": (False, minutes(1)), "zeeland": (False, minutes(1))}
    zeeland = view.indicators[1]
    assert [(o.metric, o.value) for o in zeeland.observed] == [
        ("situation.max_grip[vr19]", 0.0), ("situation.affected[vr19]", 0.0),
    ]  # fmt: skip


def test_views_are_published_only_when_they_change() -> None:
    """Same state, no record; a new value, a record with the same since; a flip, a new since."""
    hub = _hub(_pumps(0, 50), scenario_defined("scn-1", minutes(0), indicators=STORM))
    hub.tick(minutes(1), 0)
    assert _scenario(hub.tick(minutes(2), 1)) is None
    hub.apply(_pumps(3, 40))
    assert _state(_scenario(hub.tick(minutes(4), 2)))["pumps-short"] == (False, minutes(1))
    hub.apply(_pumps(5, 10))
    assert _state(_scenario(hub.tick(minutes(6), 3)))["pumps-short"] == (True, minutes(6))


def test_signal_is_raised_while_tripped_and_resolved_when_clear() -> None:
    """A tripped indicator raises scenario_indicator; it resolves when the condition clears."""
    hub = _hub(_pumps(0, 50), scenario_defined("scn-1", minutes(0), indicators=STORM))
    hub.tick(minutes(1), 0)
    hub.apply_all([
        incident_reported("inc-1", minutes(2), grip_level="4", affected_people=500),
        _pumps(2, 10),
    ])  # fmt: skip
    assert _signals(hub.tick(minutes(3), 1)) == [
        ("raised", "scenario-indicator/scn-1/pumps-short", ()),
        ("raised", "scenario-indicator/scn-1/zeeland", ("vr19",)),
    ]
    assert _signals(hub.tick(minutes(4), 2)) == []
    hub.apply(_pumps(5, 60))
    assert _signals(hub.tick(minutes(6), 3)) == [
        ("resolved", "scenario-indicator/scn-1/pumps-short", ()),
    ]


def test_bad_condition_makes_the_scenario_invalid_not_a_crash() -> None:
    """A condition that does not parse gives status invalid with the error; nothing fires."""
    bad = {"ok": "capacity.available[pump] < 20", "bad": "capacity.pump.available < 20"}
    hub = _hub(_pumps(0, 5), scenario_defined("scn-1", minutes(0), indicators=bad))
    outputs = hub.tick(minutes(1), 0)
    view = _scenario(outputs)
    assert view is not None
    assert view.status == "invalid"
    assert view.error is not None
    assert view.error.startswith("indicator bad: Bad condition at position 1: expected a metric")
    assert all(not i.tripped and i.since is None for i in view.indicators)
    assert _signals(outputs) == []


def test_retired_scenario_shows_retired_and_its_signals_resolve() -> None:
    """Retirement publishes the view with status retired and resolves its signals."""
    hub = _hub(_pumps(0, 5), scenario_defined("scn-1", minutes(0), indicators=STORM))
    assert _signals(hub.tick(minutes(1), 0)) == [
        ("raised", "scenario-indicator/scn-1/pumps-short", ()),
    ]
    hub.apply(scenario_retired("scn-1", minutes(2)))
    outputs = hub.tick(minutes(3), 1)
    view = _scenario(outputs)
    assert view is not None
    assert view.status == "retired"
    assert _signals(outputs) == [("resolved", "scenario-indicator/scn-1/pumps-short", ())]


def test_redefined_condition_starts_a_new_since() -> None:
    """A redefinition with another condition restarts the indicator's since."""
    hub = _hub(_pumps(0, 50), scenario_defined("scn-1", minutes(0), indicators=STORM))
    hub.tick(minutes(1), 0)
    changed = {**STORM, "pumps-short": "capacity.available[pump] < 10"}
    hub.apply(scenario_defined("scn-1", minutes(2), indicators=changed))
    assert _state(_scenario(hub.tick(minutes(3), 1))) == {
        "pumps-short": (False, minutes(3)), "zeeland": (False, minutes(1)),
    }  # fmt: skip


def test_scenario_from_a_role_that_may_not_define_one_is_ignored() -> None:
    """Only national centres define scenarios; the domain checks it again."""
    hub = _hub(scenario_defined("scn-1", minutes(0), source="vr19", indicators=STORM))
    assert _scenario(hub.tick(minutes(1), 0)) is None
    assert hub.state.scenarios.ignored == 1


def test_metrics_read_the_state() -> None:
    """Each metric of the vocabulary reads its number from the state at the moment."""
    hub = _hub(
        incident_reported("inc-1", minutes(0), grip_level="4", affected_people=300),
        incident_reported("inc-2", minutes(0), source="vr18", regions=["vr18", "vr17"]),
        incident_reported("inc-3", minutes(0), source="vr01", category="storm", affected_people=7),
        _pumps(0, 30),
        assistance_requested("req-1", minutes(0), quantity=12),
        assistance_offered("req-1", minutes(0), quantity=5),
        assistance_accepted("req-1", minutes(0), quantity=5),
    )
    read = MetricReader(hub.state, minutes(1), QUIET.capacity.max_report_age)
    values = {
        "capacity.available[pump]": 30, "capacity.total[pump]": 100,
        "capacity.committed[pump]": 5, "assistance.outstanding[pump]": 7,
        "situation.regions_with[flood]": 3, "situation.incidents_with[flood]": 2,
        "situation.max_grip[vr19]": 4, "situation.max_grip[vr25]": 0,
        "situation.affected[vr19]": 300, "situation.total_affected": 307,
        "situation.active_incidents": 3,
    }  # fmt: skip
    for text, value in values.items():
        node = parse_condition(f"{text} == {value}", hub.organisations, hub.reference)
        assert node.metric == _metric(text)  # type: ignore[union-attr]
        assert read(_metric(text)) == value, text


def _metric(text: str) -> Metric:
    """Return the metric written as ``text``."""
    name, _, argument = text.partition("[")
    return Metric(name, argument.rstrip("]") or None)


def test_the_example_scenario_parses_and_is_monitored(example: Example) -> None:
    """examples/events/scenario.defined.json uses this syntax: every condition parses."""
    event = parse_event(example("nl.kcr.scenario.defined"))
    assert isinstance(event, ScenarioDefined)
    for indicator in event.data.indicators:
        parse_condition(indicator.condition, load_registry(), load_reference())
    view = _scenario(_hub(event).tick(minutes(1), 0))
    assert view is not None
    assert view.status == "active"


def test_snapshot_keeps_the_since_of_each_indicator() -> None:
    """Restored, the monitor neither republishes nor moves since."""
    hub = _hub(_pumps(0, 5), scenario_defined("scn-1", minutes(0), indicators=STORM))
    hub.tick(minutes(1), 0)
    restored = HubProjection.from_snapshot(json.loads(json.dumps(hub.to_snapshot())), QUIET)
    assert restored.tick(minutes(2), 1) == hub.tick(minutes(2), 1)
    assert _scenario(restored.tick(minutes(3), 2)) is None
