"""Clock events: the hub's own ticks, the only source of "now" for time-based rules.

Every rule that depends on time (silence, deadlines, staleness) reads the time of the latest
tick, never the wall clock, so a replay of the log reproduces the live outputs exactly. A tick
also says up to which log offsets it was issued, and how many committed records each partition
gained since the clock's previous tick: a processor evaluates the tick only once it holds every
event up to those offsets (and can tell when its consumer skipped one), so live and replay see
the same events before it.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, Tlp, data_field, type_field
from hub.contracts.fields import Count

__all__ = ["CLOCK_SUBJECT", "ClockTicked", "ClockTickedData", "LogMark"]

CLOCK_SUBJECT = "clock"
"""The subject of every clock tick: the hub's clock is one aggregate."""

_TopicName = Annotated[str, StringConstraints(min_length=1, max_length=249, pattern=r"^[\w.-]+$")]
_Partition = Annotated[int, Ge(0), Le(2**31 - 1)]
_Offset = Annotated[int, Ge(0), Le(2**63 - 1)]
_After = Annotated[int, Ge(-1), Le(2**63 - 1)]


class LogMark(BaseModel):
    """The last offset of one log partition that a tick covers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: _TopicName = Field(description="Topic name, e.g. 'kcr.log.incident'.")
    partition: _Partition = Field(description="Partition number within the topic.")
    offset: _Offset = Field(description="Offset of the last record the tick covers.")
    after: _After | None = Field(
        default=None,
        description=(
            "Offset of the partition's mark in the clock's previous tick (-1: the beginning); "
            "with 'records', lets a processor check it holds every record in (after, offset]."
        ),
    )
    records: Count | None = Field(
        default=None,
        description="How many committed records the partition has in (after, offset].",
    )


class ClockTickedData(EventData):
    """One tick of the hub's clock; the envelope's ``time`` is "now" for the rules."""

    tick: Count = Field(description="Sequence number of the tick, from 0, one up per tick.")
    covers: tuple[LogMark, ...] = Field(
        default=(),
        description="Last offset per log partition that must be applied before this tick.",
    )

    @model_validator(mode="after")
    def _one_mark_per_partition(self) -> Self:
        seen: set[tuple[str, int]] = set()
        for mark in self.covers:
            where = (mark.topic, mark.partition)
            if where in seen:
                raise ValueError(f"covers names {mark.topic}[{mark.partition}] more than once")
            seen.add(where)
        return self


class ClockTicked(EventEnvelope):
    """The hub's clock ticks; only the hub publishes it (``source`` 'hub', subject 'clock')."""

    type: Literal["nl.kcr.clock.ticked"] = type_field("nl.kcr.clock.ticked")
    source: Literal["hub"] = Field(default="hub", description="Always 'hub'.")
    subject: Literal["clock"] = Field(default="clock", description="Always 'clock'.")
    tlp: Tlp = Field(default=Tlp.GREEN, description="Traffic Light Protocol label; GREEN.")
    data: ClockTickedData = data_field("The tick.")
