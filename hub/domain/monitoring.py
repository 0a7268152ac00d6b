"""Scenario monitoring at each tick: the metrics of the conditions, and the scenario views.

:class:`MetricReader` gives the value of every metric of :data:`hub.domain.conditions.METRICS`
from the state at one moment. :class:`ScenarioMonitor` evaluates the indicators of every
active scenario at each tick and builds one :class:`~hub.contracts.outputs.ScenarioView` per
scenario; it remembers per indicator whether it was tripped and since which tick time, so
``since`` moves only when the indicator flips (or its condition is redefined). The view book
publishes a view only when it changed. The signal rule lives in
:mod:`hub.domain.rules.workflow`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from hub.contracts.outputs.views import IndicatorView, ObservedMetric, ScenarioView
from hub.contracts.reference import ReferenceData
from hub.domain._common import dt_from_json, dt_to_json
from hub.domain.capacity import NationalCapacity
from hub.domain.conditions import Metric, evaluate, metrics_of
from hub.domain.output_kinds import WorkflowOutputs
from hub.domain.scenarios import Indicator, Scenario
from hub.domain.state import HubState
from hub.domain.step_context import StepContext
from hub.domain.tally import Tally

__all__ = ["IndicatorState", "MetricReader", "ScenarioMonitor"]


class MetricReader:
    """The value of each metric at one moment, computed once per metric and argument."""

    def __init__(
        self,
        state: HubState,
        now: datetime,
        max_age: timedelta,
        reference: ReferenceData | None = None,
    ) -> None:
        """Read ``state`` at ``now``; ``reference`` defaults to the state's reference data."""
        self.state, self.now, self.max_age = state, now, max_age
        self.reference = reference or state.reference
        self._cache: dict[Metric, float] = {}
        self._readers: dict[str, Callable[[str], float]] = {
            "capacity.available": lambda rt: self._national(rt).available,
            "capacity.total": lambda rt: self._national(rt).total,
            "capacity.committed": lambda rt: self._national(rt).committed,
            "assistance.outstanding": self._outstanding,
            "situation.regions_with": self._regions_with,
            "situation.incidents_with": lambda cat: len(self._category(cat)),
            "situation.max_grip": self._max_grip,
            "situation.affected": lambda region: (
                state.situation.region_tally(region).affected_people
            ),
            "situation.total_affected": lambda _: state.situation.national_tally().affected_people,
            "situation.active_incidents": lambda _: len(state.situation.national_tally()),
        }

    def __call__(self, metric: Metric) -> float:
        """Return the value of ``metric`` (a metric of the vocabulary)."""
        if metric not in self._cache:
            self._cache[metric] = float(self._readers[metric.name](metric.argument or ""))
        return self._cache[metric]

    def _national(self, resource_type: str) -> NationalCapacity:
        committed = self.state.assistance.committed_of_type(resource_type)
        return self.state.capacity.national(resource_type, self.now, self.max_age, committed)

    def _outstanding(self, resource_type: str) -> int:
        return sum(r.outstanding for r in self.state.assistance.open_of_type(resource_type))

    def _category(self, category: str) -> Tally:
        return self.state.situation.category_tallies().get(category) or Tally()

    def _regions_with(self, category: str) -> int:
        return len(self._category(category).regions)

    def _max_grip(self, region: str) -> int:
        rank = self.reference.grip_rank
        return max(map(rank, self.state.situation.region_tally(region).grips), default=0)


class IndicatorState(NamedTuple):
    """What the monitor remembers of one indicator: its condition, state and since when."""

    condition: str
    tripped: bool
    since: datetime


class ScenarioMonitor:
    """Per indicator whether it was tripped at the last tick, and since when."""

    def __init__(self) -> None:
        self.indicators: dict[tuple[str, str], IndicatorState] = {}

    def step(self, state: HubState, context: StepContext) -> WorkflowOutputs:
        """Evaluate every scenario at the context's moment; remember the new states."""
        views = self.peek(state, context)
        self.indicators = {
            (view.scenario_id, i.indicator_id): IndicatorState(i.condition, i.tripped, i.since)
            for view in views
            for i in view.indicators
            if i.since is not None
        }
        return WorkflowOutputs(scenarios=views)

    def peek(self, state: HubState, context: StepContext) -> list[ScenarioView]:
        """Return the view of every scenario at the context's moment (changes nothing)."""
        reader = MetricReader(state, context.now, context.max_report_age, context.reference)
        book, tick = state.scenarios, context.tick
        return [self._view(book.scenarios[key], reader, tick) for key in sorted(book.scenarios)]

    def _view(self, scenario: Scenario, reader: MetricReader, tick: int) -> ScenarioView:
        active = scenario.status == "active"
        return ScenarioView(
            scenario_id=scenario.scenario_id,
            name=scenario.name,
            status=scenario.status,
            error=scenario.error,
            defined_by=scenario.defined_by,
            indicators=tuple(
                self._indicator(scenario.scenario_id, i, reader) if active else _idle(i)
                for i in scenario.indicators
            ),
            as_of=reader.now,
            tick=tick,
        )

    def _indicator(
        self, scenario_id: str, indicator: Indicator, reader: MetricReader
    ) -> IndicatorView:
        if indicator.node is None:  # pragma: no cover - active scenarios parsed every condition
            return _idle(indicator)
        tripped = evaluate(indicator.node, reader)
        last = self.indicators.get((scenario_id, indicator.indicator_id))
        unchanged = last is not None and (last.condition, last.tripped) == (
            indicator.condition,
            tripped,
        )
        return IndicatorView(
            indicator_id=indicator.indicator_id,
            description=indicator.description,
            condition=indicator.condition,
            tripped=tripped,
            since=last.since if last is not None and unchanged else reader.now,
            observed=tuple(
                ObservedMetric(metric=str(m), value=reader(m)) for m in metrics_of(indicator.node)
            ),
        )

    def to_snapshot(self) -> list[Any]:
        """Return the monitor's memory as a JSON-able list."""
        return [
            [scenario_id, indicator_id, s.condition, s.tripped, dt_to_json(s.since)]
            for (scenario_id, indicator_id), s in self.indicators.items()
        ]

    @classmethod
    def from_snapshot(cls, data: list[Any]) -> ScenarioMonitor:
        """Rebuild the monitor from :meth:`to_snapshot`'s list."""
        monitor = cls()
        monitor.indicators = {
            (scenario_id, indicator_id): IndicatorState(condition, tripped, dt_from_json(since))
            for scenario_id, indicator_id, condition, tripped, since in data
        }
        return monitor


def _idle(indicator: Indicator) -> IndicatorView:
    return IndicatorView(
        indicator_id=indicator.indicator_id,
        description=indicator.description,
        condition=indicator.condition,
        tripped=False,
    )
