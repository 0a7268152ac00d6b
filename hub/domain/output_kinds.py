"""The kinds of events a tick sends, each declared once with its topic and its Kafka key.

An output kind is a field of :class:`OutputEvents` made with :func:`output_kind`: its name,
the :class:`~hub.topics.declaration.TopicNames` property of the topic its events go to, and
the function giving each event's key. :class:`~hub.domain.workflows.WorkflowOutputs` and
:class:`~hub.domain.hub.TickOutputs` extend :class:`OutputEvents`, so the workflows' outputs
merge into a tick's kind by kind (:func:`merge`), and the streams layer publishes every kind
by looking it up (:func:`output_kinds`), never by a list of its own. A new kind is one new
field here (or in a subclass).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from hub.contracts.outputs import (
    AdviceEvent,
    AssistanceEvent,
    CoordinationRequested,
    EscalationEvent,
    InformationEvent,
    OutputEvent,
    ScenarioView,
)

__all__ = [
    "OutputEvents",
    "OutputKind",
    "WorkflowOutputs",
    "merge",
    "output_kind",
    "output_kinds",
    "subject_key",
]

KeyOf = Callable[[Any], str]
"""Gives the Kafka key of one output event."""


def subject_key(event: OutputEvent) -> str:
    """The key of most outputs: the event's subject (its aggregate)."""
    return event.subject


def _signal_key(event: EscalationEvent) -> str:
    return event.data.signal_id


@dataclass(frozen=True)
class OutputKind:
    """One kind of output event: its field name, its topic, and how its records are keyed."""

    name: str
    topic: str
    """The :class:`~hub.topics.declaration.TopicNames` property naming its topic."""
    key: KeyOf


def output_kind(topic: str, key: KeyOf = subject_key) -> dict[str, Any]:
    """The metadata of a field of output events (a list) that go to ``topic``, keyed by ``key``.

    Used as ``field(default_factory=list, metadata=output_kind("advice"))``.
    """
    return {"topic": topic, "key": key}


def output_kinds(outputs: type[Any] | object) -> tuple[OutputKind, ...]:
    """Return the output kinds of a dataclass (or its instance), in declaration order."""
    return tuple(
        OutputKind(f.name, f.metadata["topic"], f.metadata["key"])
        for f in fields(outputs)  # type: ignore[arg-type]  # a dataclass or its instance
        if "topic" in f.metadata
    )


@dataclass(frozen=True, kw_only=True)
class OutputEvents:
    """The events one tick sends, by kind, each list in a stable order.

    - ``signals``: escalation events (the rules), for ``kcr.signal.escalation``;
    - ``coordination``: ``nl.kcr.coordination.requested``, for ``kcr.coordination``;
    - ``assistance``: ``nl.kcr.assistance.fulfilled`` / ``.expired``, for ``kcr.coordination``;
    - ``information``: ``nl.kcr.information.forwarded`` / ``.reminded`` / ``.summarised``,
      for ``kcr.coordination``;
    - ``advice``: ``nl.kcr.advice.drafted`` / ``.published`` / ``.rejection_noted`` /
      ``.validation_refused``, for ``kcr.advice``.
    """

    signals: list[EscalationEvent] = field(
        default_factory=list, metadata=output_kind("signals", _signal_key)
    )
    coordination: list[CoordinationRequested] = field(
        default_factory=list, metadata=output_kind("coordination")
    )
    assistance: list[AssistanceEvent] = field(
        default_factory=list, metadata=output_kind("coordination")
    )
    information: list[InformationEvent] = field(
        default_factory=list, metadata=output_kind("coordination")
    )
    advice: list[AdviceEvent] = field(default_factory=list, metadata=output_kind("advice"))

    def events(self) -> list[OutputEvent]:
        """Return every output event, kind by kind in declaration order."""
        return [event for kind in output_kinds(self) for event in getattr(self, kind.name)]

    def by_kind(self) -> dict[str, list[Any]]:
        """Return the events of each kind by the kind's name."""
        return {kind.name: getattr(self, kind.name) for kind in output_kinds(self)}


@dataclass(frozen=True, kw_only=True)
class WorkflowOutputs(OutputEvents):
    """What a workflow step sends at one tick: events by kind, and scenario views.

    The workflows raise no signals (the rules do): their ``signals`` stay empty.
    """

    scenarios: list[ScenarioView] = field(default_factory=list)


def merge(*parts: OutputEvents) -> dict[str, list[Any]]:
    """Return the events of ``parts`` kind by kind (each kind's lists joined in order)."""
    merged: dict[str, list[Any]] = {}
    for part in parts:
        for name, events in part.by_kind().items():
            merged.setdefault(name, []).extend(events)
    return merged
