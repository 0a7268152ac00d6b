"""The hub's workflows together: what they remember between ticks, and what each tick sends.

Each workflow reads the state (:class:`~hub.domain.state.HubState`, changed by events) and
keeps its own memory here, changed only at ticks, so its outputs are a deterministic function
of the events applied before each tick. Every workflow has one step, ``step(state, context)``
(:class:`Workflow`, :class:`~hub.domain.step_context.StepContext`), returning its outputs by
kind (:class:`~hub.domain.output_kinds.WorkflowOutputs`); :meth:`Workflows.step` merges them:

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

from datetime import datetime
from typing import Any, Protocol

from hub.contracts.outputs import ScenarioView
from hub.domain.advice import AdviceDesk
from hub.domain.dispatch import AssistanceDispatch
from hub.domain.information import InformationDesk
from hub.domain.measures import MeasureCatalogue
from hub.domain.monitoring import ScenarioMonitor
from hub.domain.output_kinds import WorkflowOutputs, merge
from hub.domain.state import HubState
from hub.domain.step_context import StepContext
from hub.domain.thresholds import Thresholds
from hub.domain.workflow_settings import WorkflowSettings

__all__ = ["Workflow", "WorkflowOutputs", "Workflows"]


class Workflow(Protocol):
    """One workflow: its memory, and the step that runs it at a tick."""

    def step(self, state: HubState, context: StepContext) -> WorkflowOutputs:
        """Run the workflow at the context's moment; return what it sends."""
        ...


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

    def all(self) -> tuple[Workflow, ...]:
        """Return the workflows in the order they run at a tick (the scenarios read the rest)."""
        return (self.dispatch, self.information, self.advice, self.scenarios)

    def step(self, state: HubState, context: StepContext) -> WorkflowOutputs:
        """Run every workflow at the context's moment; return what they send, kind by kind."""
        parts = [workflow.step(state, context) for workflow in self.all()]
        scenarios = [view for part in parts for view in part.scenarios]
        return WorkflowOutputs(**merge(*parts), scenarios=scenarios)

    def retire_due(self, state: HubState, now: datetime, thresholds: Thresholds) -> None:
        """Let the finished requests due at ``now`` leave the live state.

        Assistance requests leave with their workflow memory; their coordination requests are
        released and leave the coordination book a grace later, answered or not.
        """
        state.coordination.release(self.dispatch.retire_due(state, now))
        self.information.retire_due(state.information, now)
        self.advice.retire_due(state.advice, now)
        state.coordination.retire_due(now, thresholds.live_state.finished_grace)

    def scenario_views(self, state: HubState, context: StepContext) -> list[ScenarioView]:
        """Return the view of every scenario at the context's moment (changes nothing)."""
        return self.scenarios.peek(state, context)

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
