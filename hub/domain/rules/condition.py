"""What a rule finds: a condition that holds now, keyed by a stable signal id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from hub.contracts.outputs.signals import SignalSeverity
from hub.domain._common import clip
from hub.domain.audience import EVERYONE, Audience

__all__ = [
    "MAX_EVIDENCE",
    "Condition",
    "Found",
    "clip",
    "signal_id",
    "unique",
]

_MAX_TITLE = 1_000
_MAX_DETAILS = 10_000
_MAX_SIGNAL_ID = 160
MAX_EVIDENCE = 50
"""At most this many event ids back a signal (the first the rule names, in its order): a signal
grouping thousands of incidents must stay a small record, since every change of it goes to
the signal topic and to the outbox of every organisation it concerns."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition found by a rule at one tick; a signal is raised while it holds.

    ``recipients`` names organisations the signal is addressed to besides those the router
    reaches by subscription (e.g. the LOCC for overdue assistance). ``audience`` is who may
    see what the rule read (:mod:`hub.domain.audience`): :data:`EVERYONE` when all the signal
    reaches may; else the signal goes only to them, with the stricter label.
    """

    rule: str
    severity: SignalSeverity
    title: str
    details: str
    regions: tuple[str, ...]
    evidence: tuple[str, ...]
    recipients: tuple[str, ...] = ()
    audience: Audience = EVERYONE
    subjects: tuple[str, ...] = ()
    """The aggregates (incident ids) the signal names: their audience limits its resolution."""

    def __post_init__(self) -> None:
        """Keep the title and details within the limits of the signal contract."""
        object.__setattr__(self, "title", clip(self.title, _MAX_TITLE))
        object.__setattr__(self, "details", clip(self.details, _MAX_DETAILS))
        object.__setattr__(self, "evidence", self.evidence[:MAX_EVIDENCE])
        object.__setattr__(self, "subjects", self.subjects[:MAX_EVIDENCE])

    def to_json(self) -> dict[str, Any]:
        """Return the condition as a JSON-able dict."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "title": self.title,
            "details": self.details,
            "regions": list(self.regions),
            "evidence": list(self.evidence),
            "recipients": list(self.recipients),
            **({"audience": self.audience.to_json()} if self.audience.restricted else {}),
            **({"subjects": list(self.subjects)} if self.subjects else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Condition:
        """Rebuild a condition from :meth:`to_json`'s dict."""
        return cls(
            rule=data["rule"],
            severity=SignalSeverity(data["severity"]),
            title=data["title"],
            details=data["details"],
            regions=tuple(data["regions"]),
            evidence=tuple(data["evidence"]),
            recipients=tuple(data["recipients"]),
            audience=Audience.from_json(data.get("audience")),
            subjects=tuple(data.get("subjects", ())),
        )


class Found(NamedTuple):
    """What a rule found for some of its keys: the conditions, and the keys looked at."""

    conditions: dict[str, Condition]
    """The conditions that hold, by signal id."""
    rule: str
    """The rule's code."""
    keys: list[str]
    """The keys looked at: an active signal of one of them without a condition resolves."""

    def evaluated(self) -> set[str]:
        """Return the signal ids of :attr:`keys`."""
        return {signal_id(self.rule, key) for key in self.keys}


def signal_id(rule: str, key: str) -> str:
    """Return the signal id of ``rule`` for ``key``: ``grip_high``, ``x`` → ``grip-high/x``.

    A key too long for the contract (ids may be 200 characters) is cut and given a hash of
    the whole key, so the id stays unique and the same at every tick.
    """
    prefix = f"{rule.replace('_', '-')}/"
    if len(prefix) + len(key) <= _MAX_SIGNAL_ID:
        return prefix + key
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
    return f"{prefix}{key[: _MAX_SIGNAL_ID - len(prefix) - 17]}~{digest}"


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Return ``items`` without repeats, first occurrence first."""
    return tuple(dict.fromkeys(items))
