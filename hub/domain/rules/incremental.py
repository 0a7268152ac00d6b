"""The rules evaluated incrementally: only for what changed since the last tick, and what fell due.

The situation rules are keyed by what events touch: ``grip_high`` by incident,
``supra_regional`` by category; they are evaluated for the touched keys only. The rules over
time (``silent_organisation``, ``assistance_overdue``, ``coordination_unacknowledged``,
``information_overdue``, ``capacity_shortfall``) are evaluated for the keys their books'
due-time queues give (:mod:`hub.domain.due`): the keys changed since the last tick, and those
whose moment (a deadline plus its grace, the end of an allowed silence, a capacity report
going stale) ``now`` has passed. The signals of other keys hold as they were: their
conditions depend on nothing else. A tick costs what changed plus what fell due.
``scenario_indicator`` is evaluated at every tick over the active scenarios (a handful,
defined by analysts; each metric read costs one resource type, category or region).
:func:`hub.domain.rules.evaluate` is the full evaluation and stays the oracle: a property test
checks that the two give the same signals at every tick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple, Protocol

from hub.domain.rules.capacity import capacity_shortfall_due
from hub.domain.rules.condition import Condition, Found, signal_id
from hub.domain.rules.deadlines import (
    assistance_overdue_due,
    coordination_unacknowledged_due,
    silent_organisation_due,
)
from hub.domain.rules.situation import (
    GRIP_HIGH,
    SUPRA_REGIONAL,
    grip_high_for,
    supra_regional_for,
)
from hub.domain.rules.workflow import (
    SCENARIO_INDICATOR,
    information_overdue_due,
    scenario_indicator,
)
from hub.domain.situation import SituationChanges
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds

__all__ = ["DUE_RULES", "EVERY_TICK", "ActiveSignals", "Evaluation", "evaluate_changes"]

EVERY_TICK = (SCENARIO_INDICATOR,)
"""The rules evaluated whole at every tick."""

DUE_RULES: tuple[Callable[[HubState, datetime, Thresholds], Found], ...] = (
    capacity_shortfall_due,
    silent_organisation_due,
    assistance_overdue_due,
    coordination_unacknowledged_due,
    information_overdue_due,
)
"""The rules over time, evaluated for the keys their due-time queues give."""


class ActiveSignals(Protocol):
    """The signals raised so far, per rule (the signal book)."""

    def of_rule(self, rule: str) -> frozenset[str]:
        """Return the ids of the active signals of ``rule``."""


class Evaluation(NamedTuple):
    """The conditions found, and the signal ids that were evaluated (found or not)."""

    conditions: dict[str, Condition]
    """The conditions that hold, by signal id."""
    evaluated: set[str]
    """The signal ids looked at: an active one among them without a condition resolves."""


def evaluate_changes(
    state: HubState,
    now: datetime,
    thresholds: Thresholds,
    changes: SituationChanges,
    active: ActiveSignals,
) -> Evaluation:
    """Evaluate the rules at ``now`` for what ``changes`` touched and what fell due.

    The time rules take their books' due keys (each tick consumes them: call it once per
    tick); the every-tick rules look at everything they cover.
    """
    found: dict[str, Condition] = {}
    evaluated: set[str] = set()
    found.update(grip_high_for(state, now, thresholds, changes.incidents))
    evaluated.update(_ids(GRIP_HIGH, changes.incidents))
    found.update(supra_regional_for(state, now, thresholds, changes.categories))
    evaluated.update(_ids(SUPRA_REGIONAL, changes.categories))
    for rule in DUE_RULES:
        due = rule(state, now, thresholds)
        found.update(due.conditions)
        evaluated.update(due.evaluated())
    found.update(scenario_indicator(state, now, thresholds))
    evaluated.update(active.of_rule(SCENARIO_INDICATOR))
    return Evaluation(found, evaluated)


def _ids(rule: str, keys: Iterable[str]) -> set[str]:
    return {signal_id(rule, key) for key in keys}
