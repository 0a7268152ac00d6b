"""The escalation rules: pure functions of (state, now, thresholds) to conditions by signal id.

Each rule looks at the projections at one tick and returns the conditions that hold, keyed by
a stable signal id (``<rule with dashes>/<key>``). :class:`hub.domain.signals.SignalBook`
turns the changes between ticks into raised, updated and resolved signals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub.domain.rules.capacity import CAPACITY_SHORTFALL, capacity_shortfall
from hub.domain.rules.condition import Condition, signal_id
from hub.domain.rules.deadlines import (
    ASSISTANCE_OVERDUE,
    COORDINATION_UNACKNOWLEDGED,
    SILENT_ORGANISATION,
    assistance_overdue,
    coordination_unacknowledged,
    silent_organisation,
)
from hub.domain.rules.situation import GRIP_HIGH, SUPRA_REGIONAL, grip_high, supra_regional
from hub.domain.rules.workflow import (
    INFORMATION_OVERDUE,
    SCENARIO_INDICATOR,
    information_overdue,
    scenario_indicator,
)
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds

__all__ = [
    "ASSISTANCE_OVERDUE",
    "CAPACITY_SHORTFALL",
    "COORDINATION_UNACKNOWLEDGED",
    "GRIP_HIGH",
    "INFORMATION_OVERDUE",
    "RULES",
    "SCENARIO_INDICATOR",
    "SILENT_ORGANISATION",
    "SUPRA_REGIONAL",
    "Condition",
    "Rule",
    "assistance_overdue",
    "capacity_shortfall",
    "coordination_unacknowledged",
    "evaluate",
    "grip_high",
    "information_overdue",
    "scenario_indicator",
    "signal_id",
    "silent_organisation",
    "supra_regional",
]

Rule = Callable[[HubState, datetime, Thresholds], dict[str, Condition]]
"""A rule: (state, now, thresholds) → the conditions that hold, by signal id."""

RULES: dict[str, Rule] = {
    GRIP_HIGH: grip_high,
    SUPRA_REGIONAL: supra_regional,
    CAPACITY_SHORTFALL: capacity_shortfall,
    SILENT_ORGANISATION: silent_organisation,
    ASSISTANCE_OVERDUE: assistance_overdue,
    COORDINATION_UNACKNOWLEDGED: coordination_unacknowledged,
    INFORMATION_OVERDUE: information_overdue,
    SCENARIO_INDICATOR: scenario_indicator,
}
"""Every rule by its code."""


def evaluate(state: HubState, now: datetime, thresholds: Thresholds) -> dict[str, Condition]:
    """Return the conditions of every rule that hold at ``now``, by signal id."""
    found: dict[str, Condition] = {}
    for rule in RULES.values():
        found.update(rule(state, now, thresholds))
    return found
