"""What every workflow step is given besides the state: the moment and the hub's settings.

Every workflow has one step, ``step(state, context)``, returning the events it sends
(:class:`~hub.domain.workflows.WorkflowOutputs`). The context carries the tick's moment and
number and the dependencies the projection was given (thresholds, the organisations and the
reference data), so no step reads a module global; what configures one workflow alone (its
settings, the measure catalogue) it is given when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.reference import ReferenceData
from hub.domain.thresholds import Thresholds

__all__ = ["StepContext"]


@dataclass(frozen=True, slots=True)
class StepContext:
    """One tick as the workflows see it.

    With ``full`` a step looks at every live request, not only the touched and due ones (the
    oracle of the tests: the same outputs).
    """

    now: datetime
    tick: int
    thresholds: Thresholds
    organisations: OrganisationRegistry
    reference: ReferenceData
    full: bool = False

    @property
    def max_report_age(self) -> timedelta:
        """How old a capacity report may be and still count."""
        return self.thresholds.capacity.max_report_age

    @property
    def finished_grace(self) -> timedelta:
        """How long finished work stays in the live state."""
        return self.thresholds.live_state.finished_grace
