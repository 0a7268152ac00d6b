"""Escalation signals: what the hub raises, updates and resolves on ``kcr.signal.escalation``.

A signal is the hub's own event, so it has the common envelope. Its ``id`` is deterministic
(``<signal_id>:<verb>:<tick>``), so a replay of the log produces the very same signals as the
live processors did, and consumers de-duplicate redelivered ones on the id.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from hub.contracts.events.envelope import EventData, EventEnvelope, Tlp, data_field, type_field
from hub.contracts.fields import Identifier, RegionId, Text, UtcDatetime

__all__ = [
    "ESCALATION_SUBJECT_PATTERN",
    "EscalationData",
    "EscalationRaised",
    "EscalationResolved",
    "EscalationUpdated",
    "SignalSeverity",
    "signal_event_id",
]

ESCALATION_SUBJECT_PATTERN = r"^[a-z][a-z-]*/\S+$"
"""Signal ids are ``<rule with dashes>/<key>``, e.g. ``grip-high/inc-vr19-0412``."""

_RuleCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$", max_length=60)]
_SignalId = Annotated[
    str, StringConstraints(pattern=ESCALATION_SUBJECT_PATTERN, min_length=3, max_length=160)
]
_Title = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class SignalSeverity(StrEnum):
    """How urgently a signal needs attention."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class EscalationData(EventData):
    """The state of one escalation signal when it was raised, updated or resolved."""

    signal_id: _SignalId = Field(description="Id of the signal: rule and key, stable over time.")
    rule: _RuleCode = Field(description="Code of the rule that raised it, e.g. 'grip_high'.")
    severity: SignalSeverity = Field(description="How urgently it needs attention.")
    title: _Title = Field(description="One line for people, e.g. 'GRIP 4 in Zeeland: ...'.")
    details: Text = Field(default="", description="What the rule found, in a few sentences.")
    regions: tuple[RegionId, ...] = Field(default=(), description="Safety regions involved.")
    evidence: tuple[Identifier, ...] = Field(
        default=(),
        description="Ids of the events that support the signal (at most 50, the first the "
        "rule names: a group of many incidents is counted in 'details').",
    )
    since: UtcDatetime = Field(description="When the signal was first raised (tick time).")
    observed_at: UtcDatetime = Field(description="Time of the tick that produced this event.")


class _Escalation(EventEnvelope):
    """Common envelope of the escalation events (abstract)."""

    aggregate_field: ClassVar[str | None] = "signal_id"
    source: Literal["hub"] = Field(default="hub", description="Always 'hub'.")
    tlp: Tlp = Field(default=Tlp.AMBER, description="Traffic Light Protocol label; AMBER.")
    data: EscalationData = data_field("The signal.")


class EscalationRaised(_Escalation):
    """The hub raises a new escalation signal."""

    type: Literal["nl.kcr.escalation.raised"] = type_field("nl.kcr.escalation.raised")


class EscalationUpdated(_Escalation):
    """A raised signal changed: its severity, title, details, regions or evidence."""

    type: Literal["nl.kcr.escalation.updated"] = type_field("nl.kcr.escalation.updated")


class EscalationResolved(_Escalation):
    """The condition behind a signal no longer holds; it carries the last evidence."""

    type: Literal["nl.kcr.escalation.resolved"] = type_field("nl.kcr.escalation.resolved")


def signal_event_id(signal_id: str, verb: str, tick: int) -> str:
    """Return the deterministic event id of a signal event: ``<signal_id>:<verb>:<tick>``."""
    return f"{signal_id}:{verb}:{tick}"
