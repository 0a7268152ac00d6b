"""The scenarios being monitored: their indicators, with each condition parsed once.

``nl.kcr.scenario.defined`` defines or redefines a scenario (all events of one scenario share
its id as subject, so they arrive in order); ``nl.kcr.scenario.retired`` ends its monitoring.
Only organisations whose role may publish these types count (the domain checks it again);
others, and retirements of unknown scenarios, are ignored and counted.

A scenario with a condition that does not parse is kept with status ``invalid`` and the
error (naming the indicator, the position and what was expected), never monitored, never a
crash. :mod:`hub.domain.monitoring` evaluates the active ones at each tick.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.scenario import ScenarioDefined, ScenarioRetired
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.reference import ReferenceData
from hub.domain.conditions import ConditionError, Node, parse_condition

__all__ = ["Indicator", "Scenario", "ScenarioBook"]

Status = Literal["active", "invalid", "retired"]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of a scenario and its parsed condition (None when invalid)."""

    indicator_id: str
    description: str
    condition: str
    node: Node | None


@dataclass(slots=True)
class Scenario:
    """One scenario as last defined, and whether it is monitored."""

    scenario_id: str
    name: str
    defined_by: str
    event_id: str
    status: Status
    error: str | None
    indicators: tuple[Indicator, ...]
    tlp: str = "AMBER"
    """The definition's label: with :attr:`recipients`, who may see the scenario."""
    recipients: tuple[str, ...] = ()


def _parse(
    indicators: list[tuple[str, str, str]],
    organisations: OrganisationRegistry,
    reference: ReferenceData,
) -> tuple[tuple[Indicator, ...], str | None]:
    """Parse every (id, description, condition); return the indicators and the first error."""
    parsed: list[Indicator] = []
    for indicator_id, description, condition in indicators:
        try:
            node: Node | None = parse_condition(condition, organisations, reference)
        except ConditionError as error:
            return _unparsed(indicators), f"indicator {indicator_id}: {error.message}"
        parsed.append(Indicator(indicator_id, description, condition, node))
    return tuple(parsed), None


def _unparsed(indicators: list[tuple[str, str, str]]) -> tuple[Indicator, ...]:
    return tuple(Indicator(i, d, c, None) for i, d, c in indicators)


class ScenarioBook:
    """Every scenario defined, by id."""

    def __init__(self, organisations: OrganisationRegistry, reference: ReferenceData) -> None:
        """Start empty: who may define scenarios, and the codes and regions conditions name."""
        self.organisations = organisations
        self.reference = reference
        self.scenarios: dict[str, Scenario] = {}
        self.ignored = 0

    def apply(self, event: EventEnvelope) -> None:
        """Apply a scenario event; other events are no concern of the book."""
        if not isinstance(event, ScenarioDefined | ScenarioRetired):
            return
        if not self.organisations.may_publish(event.source, event.type):
            self.ignored += 1
        elif isinstance(event, ScenarioDefined):
            self._defined(event)
        else:
            self._retired(event)

    def _defined(self, event: ScenarioDefined) -> None:
        data = event.data
        raw = [(i.indicator_id, i.description, i.condition) for i in data.indicators]
        indicators, error = _parse(raw, self.organisations, self.reference)
        self.scenarios[data.scenario_id] = Scenario(
            scenario_id=data.scenario_id,
            name=data.name,
            defined_by=event.source,
            event_id=event.id,
            status="invalid" if error else "active",
            error=error,
            indicators=indicators,
            tlp=event.tlp.value,
            recipients=event.recipients,
        )

    def _retired(self, event: ScenarioRetired) -> None:
        scenario = self.scenarios.get(event.data.scenario_id)
        if scenario is None:
            self.ignored += 1
        else:
            scenario.status = "retired"

    def active(self) -> Iterator[Scenario]:
        """Yield the monitored scenarios, by id."""
        return (
            self.scenarios[key]
            for key in sorted(self.scenarios)
            if self.scenarios[key].status == "active"
        )

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict (conditions as text; parsed again on restore)."""
        return {
            "ignored": self.ignored,
            "scenarios": [
                {
                    "scenario_id": s.scenario_id,
                    "name": s.name,
                    "defined_by": s.defined_by,
                    "event_id": s.event_id,
                    "retired": s.status == "retired",
                    "indicators": [
                        [i.indicator_id, i.description, i.condition] for i in s.indicators
                    ],
                    "tlp": s.tlp,
                    "recipients": list(s.recipients),
                }
                for s in self.scenarios.values()
            ],
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], organisations: OrganisationRegistry, reference: ReferenceData
    ) -> ScenarioBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict."""
        book = cls(organisations, reference)
        book.ignored = int(data["ignored"])
        for item in data["scenarios"]:
            raw = [(i, d, c) for i, d, c in item["indicators"]]
            indicators, error = _parse(raw, organisations, reference)
            status: Status = "invalid" if error else "active"
            book.scenarios[item["scenario_id"]] = Scenario(
                scenario_id=item["scenario_id"],
                name=item["name"],
                defined_by=item["defined_by"],
                event_id=item["event_id"],
                status="retired" if item["retired"] else status,
                error=error,
                indicators=indicators,
                tlp=item.get("tlp", "AMBER"),
                recipients=tuple(item.get("recipients", ())),
            )
        return book
