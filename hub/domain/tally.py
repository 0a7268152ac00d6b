"""Running tallies of active incidents per region and per category, kept as incidents change.

A tally answers what the views and rules ask of a group of active incidents (how many, which
first by id, the highest GRIP level, the people affected, which categories or regions, which
ones started first) without visiting every incident of the group, so a tick costs what
changed, not what is active. Incidents are added when they become active or change and
removed before they change or close; every update is remove-then-add.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

__all__ = ["Counted", "Tally"]

_Item = TypeVar("_Item", str, tuple[datetime, str])


class Counted(Protocol):
    """What a tally reads of an incident."""

    @property
    def incident_id(self) -> str:
        """The incident's id."""

    @property
    def category(self) -> str:
        """The incident's category."""

    @property
    def grip_level(self) -> str:
        """The incident's GRIP level code."""

    @property
    def affected_people(self) -> int:
        """The people it affects."""

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions it concerns."""

    @property
    def started_at(self) -> datetime:
        """When it started."""


@dataclass
class Tally:
    """The active incidents of one group, summarised and ordered two ways."""

    ids: list[str] = field(default_factory=list)
    """Incident ids, sorted."""
    ordered_by_start: bool = False
    """Whether to keep :attr:`by_start` (a category's tally: the supra-regional rule reads it)."""
    by_start: list[tuple[datetime, str]] = field(default_factory=list)
    """(started_at, incident id), sorted, when :attr:`ordered_by_start`."""
    affected_people: int = 0
    grips: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    regions: Counter[str] = field(default_factory=Counter)

    def __len__(self) -> int:
        """Return how many active incidents the group has."""
        return len(self.ids)

    def add(self, incident: Counted) -> None:
        """Count ``incident`` in the group."""
        insort(self.ids, incident.incident_id)
        if self.ordered_by_start:
            insort(self.by_start, (incident.started_at, incident.incident_id))
        self.affected_people += incident.affected_people
        self.grips[incident.grip_level] += 1
        self.categories[incident.category] += 1
        self.regions.update(incident.regions)

    def recount(self, grip_level: str, affected_people: int, incident: Counted) -> None:
        """Count ``incident`` (already here) with its new GRIP level and people affected."""
        _decrement(self.grips, (grip_level,))
        self.grips[incident.grip_level] += 1
        self.affected_people += incident.affected_people - affected_people

    def remove(self, incident: Counted) -> None:
        """Stop counting ``incident`` (as it was when added)."""
        _remove(self.ids, incident.incident_id)
        if self.ordered_by_start:
            _remove(self.by_start, (incident.started_at, incident.incident_id))
        self.affected_people -= incident.affected_people
        _decrement(self.grips, (incident.grip_level,))
        _decrement(self.categories, (incident.category,))
        _decrement(self.regions, incident.regions)


def _remove(items: list[_Item], item: _Item) -> None:
    index = bisect_left(items, item)
    if index < len(items) and items[index] == item:
        del items[index]


def _decrement(counter: Counter[str], keys: Iterable[str]) -> None:
    for key in keys:
        counter[key] -= 1
        if counter[key] <= 0:
            del counter[key]
