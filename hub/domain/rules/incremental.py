"""The rules evaluated incrementally: only for what changed since the last tick.

The situation rules are keyed by what events touch: ``grip_high`` by incident,
``supra_regional`` by category. At a tick they are evaluated for the touched keys only; the
signals of untouched keys hold as they were (their conditions depend on nothing else). The
other rules are evaluated at every tick: their cost does not grow with the number of
incidents or with history (a fixed set of organisations and resource types, the scenarios,
and the open requests, read from the books' indexes: ``*_indexed``).
:func:`hub.domain.rules.evaluate` is the full evaluation and stays the oracle: a property test
checks that the two give the same signals at every tick.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple, Protocol

from hub.domain.rules.capacity import CAPACITY_SHORTFALL, capacity_shortfall_indexed
from hub.domain.rules.condition import Condition, signal_id
from hub.domain.rules.deadlines import (
    ASSISTANCE_OVERDUE,
    COORDINATION_UNACKNOWLEDGED,
    SILENT_ORGANISATION,
    assistance_overdue_indexed,
    coordination_unacknowledged_indexed,
)
from hub.domain.rules.situation import (
    GRIP_HIGH,
    SUPRA_REGIONAL,
    grip_high_for,
    supra_regional_for,
)
from hub.domain.rules.workflow import (
    INFORMATION_OVERDUE,
    SCENARIO_INDICATOR,
    information_overdue_indexed,
)
from hub.domain.situation import SituationChanges
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds

__all__ = ["EVERY_TICK", "ActiveSignals", "Evaluation", "evaluate_changes"]

EVERY_TICK = (
    CAPACITY_SHORTFALL,
    SILENT_ORGANISATION,
    ASSISTANCE_OVERDUE,
    COORDINATION_UNACKNOWLEDGED,
    INFORMATION_OVERDUE,
    SCENARIO_INDICATOR,
)
"""The rules evaluated at every tick (those over requests read the books' indexes)."""

_INDEXED = {
    CAPACITY_SHORTFALL: capacity_shortfall_indexed,
    ASSISTANCE_OVERDUE: assistance_overdue_indexed,
    COORDINATION_UNACKNOWLEDGED: coordination_unacknowledged_indexed,
    INFORMATION_OVERDUE: information_overdue_indexed,
}


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
    """Evaluate the rules at ``now`` for what ``changes`` touched, and the every-tick rules."""
    from hub.domain.rules import RULES  # the registry imports this module's siblings

    found: dict[str, Condition] = {}
    evaluated: set[str] = set()
    found.update(grip_high_for(state, now, thresholds, changes.incidents))
    evaluated.update(_ids(GRIP_HIGH, changes.incidents))
    found.update(supra_regional_for(state, now, thresholds, changes.categories))
    evaluated.update(_ids(SUPRA_REGIONAL, changes.categories))
    for code in EVERY_TICK:
        found.update(_INDEXED.get(code, RULES[code])(state, now, thresholds))
        evaluated.update(active.of_rule(code))
    return Evaluation(found, evaluated)


def _ids(rule: str, keys: Iterable[str]) -> set[str]:
    return {signal_id(rule, key) for key in keys}
