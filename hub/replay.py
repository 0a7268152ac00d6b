"""Replay: fold the whole log through the same projector the live workers run, in-process.

Because ticks carry the log offsets they cover, a replay applies exactly the events the live
worker applied before each tick, so the views and signals it computes are the ones the live
system published (up to any tick or time: time travel with ``until``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.domain.hub import TickOutputs
from hub.domain.thresholds import Thresholds
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.processing.projector import Projector
from hub.topics.declaration import TopicNames

__all__ = ["ReplayResult", "ReplayWindow", "replay_log"]


@dataclass(frozen=True)
class ReplayWindow:
    """How far to replay: every tick, or up to a time or a tick number (inclusive)."""

    until: datetime | None = None
    until_tick: int | None = None


@dataclass
class ReplayResult:
    """The projector after the replay, and what the replay went through."""

    projector: Projector
    events: int = 0
    ticks: int = 0
    outputs: list[TickOutputs] = field(default_factory=list)


async def replay_log(
    bootstrap: str,
    names: TopicNames,
    codec: EventCodec,
    window: ReplayWindow | None = None,
    thresholds: Thresholds | None = None,
    client_config: Mapping[str, Any] | None = None,
) -> ReplayResult:
    """Read every log topic to its current end and evaluate every tick within ``window``."""
    window = window or ReplayWindow()
    result = ReplayResult(Projector(thresholds=thresholds))
    consumer = bounded_consumer(bootstrap, client_config)
    await consumer.start()
    try:
        topics = [names.log(family) for family in FAMILIES]
        partitions = await partitions_of(bootstrap, topics, client_config)
        async for batch in read_until_end(consumer, partitions):
            for record in batch:
                event = await codec.decode_event(record.value)
                result.projector.offer((record.topic, record.partition), record.offset, event)
            result.events += len(batch)
            _advance(result, window)
    finally:
        await consumer.stop()
    return result


def _advance(result: ReplayResult, window: ReplayWindow) -> None:
    for outputs in result.projector.advance(window.until, window.until_tick):
        result.outputs.append(outputs)
        result.ticks += 1
