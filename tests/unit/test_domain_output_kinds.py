"""Each output kind declares its topic and key once; tick outputs and records follow from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from hub.contracts.events.envelope import EventEnvelope
from hub.domain.hub import TickOutputs
from hub.domain.output_kinds import OutputEvents, WorkflowOutputs, merge, output_kind, output_kinds
from hub.domain.testing import heartbeat
from hub.streams.outputs import output_records
from hub.topics.declaration import TopicNames

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
NAMES = TopicNames("kcr")


@dataclass(frozen=True)
class WithNotices(TickOutputs):
    """Tick outputs with one more kind, declared in this one place."""

    notices: list[EventEnvelope] = field(default_factory=list, metadata=output_kind("advice"))


def test_every_kind_names_a_topic_of_the_topic_names() -> None:
    """Each kind's topic is a property of TopicNames; signals, workflow events, advice."""
    topics = {kind.name: getattr(NAMES, kind.topic) for kind in output_kinds(OutputEvents)}
    assert topics == {
        "signals": "kcr.signal.escalation",
        "coordination": "kcr.coordination",
        "assistance": "kcr.coordination",
        "information": "kcr.coordination",
        "advice": "kcr.advice",
    }


def test_tick_outputs_and_workflow_outputs_carry_the_same_kinds() -> None:
    """TickOutputs and WorkflowOutputs are OutputEvents: the kinds are declared once."""
    assert output_kinds(TickOutputs) == output_kinds(OutputEvents)
    assert output_kinds(WorkflowOutputs) == output_kinds(OutputEvents)


def test_a_new_kind_reaches_the_output_records_and_the_events() -> None:
    """A kind added as one field is published to its topic under its key, and routed."""
    notice = heartbeat(T0, "vr01")
    outputs = WithNotices(1, T0, notices=[notice])
    records = list(output_records(outputs, NAMES))
    assert [(r.topic, r.key, r.item) for r in records] == [("kcr.advice", notice.subject, notice)]
    assert [e.id for e in outputs.events()] == [notice.id]


def test_merge_joins_the_parts_kind_by_kind_in_order() -> None:
    """The workflows' parts merge into one list per kind, in the order of the parts."""
    first, second = heartbeat(T0, "vr01"), heartbeat(T0, "vr02")
    merged = merge(WorkflowOutputs(advice=[first]), WorkflowOutputs(advice=[second]))  # type: ignore[list-item]
    assert merged["advice"] == [first, second]
    assert merged["signals"] == []
