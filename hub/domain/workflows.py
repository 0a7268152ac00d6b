"""The hub's workflows together: what they remember between ticks, and what each tick sends.

Each workflow reads the state (:class:`~hub.domain.state.HubState`, changed by events) and
keeps its own memory here, changed only at ticks, so its outputs are a deterministic function
of the events applied before each tick:

- assistance (:class:`~hub.domain.dispatch.AssistanceDispatch`): coordination requests to
  candidates, then ``fulfilled`` or ``expired``;
- information requests (:class:`~hub.domain.information.InformationDesk`): fan-out,
  reminders, summaries;
- advice (:class:`~hub.domain.advice.AdviceDesk`): drafts, publication or rejection notes;
- scenarios (:class:`~hub.domain.monitoring.ScenarioMonitor`): one view per scenario.

A tick looks only at the requests touched since the last tick and those whose outputs may
still change with time; finished requests leave the live state after
``live_state.finished_grace`` (:meth:`Workflows.retire_due`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.contracts.outputs import (
    AdviceEvent,
    AssistanceEvent,
    CoordinationRequested,
    InformationEvent,
    ScenarioView,
)
from hub.domain.advice import AdviceDesk
from hub.domain.dispatch import AssistanceDispatch
from hub.domain.information import InformationDesk
from hub.domain.measures import MeasureCatalogue
from hub.domain.monitoring import MetricReader, ScenarioMonitor
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds
from hub.domain.workflow_settings import WorkflowSettings

__all__ = ["WorkflowOutputs", "Workflows"]


@dataclass(frozen=True)
class WorkflowOutputs:
    """What the workflows send at one tick, each list in a stable order."""

    coordination: list[CoordinationRequested] = field(default_factory=list)
    assistance: list[AssistanceEvent] = field(default_factory=list)
    information: list[InformationEvent] = field(default_factory=list)
    advice: list[AdviceEvent] = field(default_factory=list)
    scenarios: list[ScenarioView] = field(default_factory=list)


class Workflows:
    """The memory of every workflow between ticks."""

    def __init__(
        self, settings: WorkflowSettings, catalogue: MeasureCatalogue | None = None
    ) -> None:
        self.settings = settings
        self.dispatch = AssistanceDispatch(settings.assistance)
        self.information = InformationDesk(settings.information)
        self.advice = AdviceDesk(settings.advice, catalogue)
        self.scenarios = ScenarioMonitor()

    def step(
        self,
        state: HubState,
        now: datetime,
        tick: int,
        thresholds: Thresholds,
        *,
        full: bool = False,
    ) -> WorkflowOutputs:
        """Run every workflow at ``now``; return what they send.

        With ``full`` every live request is looked at, not only the touched and pending ones
        (the oracle of the tests: the same outputs).
        """
        coordination, assistance = self.dispatch.step(state, now, tick, thresholds, full=full)
        reader = MetricReader(state, now, thresholds.capacity.max_report_age)
        grace = thresholds.live_state.finished_grace
        information = self.information.step(state.information, now, tick, full=full, grace=grace)
        capacity, at = state.capacity, (now, tick)
        return WorkflowOutputs(
            coordination=coordination,
            assistance=assistance,
            information=information,
            advice=self.advice.step(state.advice, capacity, at, thresholds, full=full),
            scenarios=self.scenarios.step(state.scenarios, reader, tick),
        )

    def retire_due(self, state: HubState, now: datetime, thresholds: Thresholds) -> None:
        """Let the finished requests due at ``now`` leave the live state.

        Assistance requests leave with their workflow memory; their coordination requests are
        released, and those closed or answered leave the coordination book a grace later.
        """
        state.coordination.release(self.dispatch.retire_due(state, now))
        self.information.retire_due(state.information, now)
        self.advice.retire_due(state.advice, now)
        state.coordination.retire_due(now, thresholds.live_state.finished_grace)

    def scenario_views(
        self, state: HubState, now: datetime, tick: int, thresholds: Thresholds
    ) -> list[ScenarioView]:
        """Return the view of every scenario at ``now`` (changes nothing)."""
        reader = MetricReader(state, now, thresholds.capacity.max_report_age)
        return self.scenarios.peek(state.scenarios, reader, tick)

    def to_snapshot(self) -> dict[str, Any]:
        """Return every workflow's memory as one JSON-able dict."""
        return {
            "assistance": self.dispatch.to_snapshot(),
            "information": self.information.to_snapshot(),
            "advice": self.advice.to_snapshot(),
            "scenarios": self.scenarios.to_snapshot(),
        }

    @classmethod
    def from_snapshot(
        cls,
        data: dict[str, Any],
        settings: WorkflowSettings,
        catalogue: MeasureCatalogue | None = None,
    ) -> Workflows:
        """Rebuild the workflows from :meth:`to_snapshot`'s dict."""
        workflows = cls(settings, catalogue)
        workflows.dispatch = AssistanceDispatch.from_snapshot(
            data["assistance"], settings.assistance
        )
        workflows.information = InformationDesk.from_snapshot(
            data["information"], settings.information
        )
        workflows.advice = AdviceDesk.from_snapshot(data["advice"], settings.advice, catalogue)
        workflows.scenarios = ScenarioMonitor.from_snapshot(data["scenarios"])
        return workflows
