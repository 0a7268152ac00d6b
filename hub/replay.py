"""Replay: fold the whole log through the same projector the live workers run, in-process.

Because ticks carry the log offsets they cover, a replay applies exactly the events the live
worker applied before each tick, so the views and signals it computes are the ones the live
system published (up to any tick or time: time travel with ``until``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.envelope import EventEnvelope
from hub.domain.hub import TickOutputs
from hub.domain.thresholds import Thresholds
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.processing.barrier import Position
from hub.processing.projector import Projector
from hub.topics.declaration import TopicNames

__all__ = ["LogItem", "Progress", "ReplayResult", "ReplayWindow", "replay_items", "replay_log"]

LogItem = tuple[Position, int, EventEnvelope]
"""One log record to fold: its partition, offset and decoded event."""
Progress = Callable[[int], None]
"""Called after each batch with the number of log records folded so far."""


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
    progress: Progress | None = None,
) -> ReplayResult:
    """Read every log topic to its current end and evaluate every tick within ``window``.

    ``progress`` (optional) is told the number of records folded after each batch.
    """
    window = window or ReplayWindow()
    result = ReplayResult(Projector(thresholds=thresholds))
    consumer = bounded_consumer(bootstrap, client_config)
    await consumer.start()
    try:
        topics = [names.log(family) for family in FAMILIES]
        partitions = await partitions_of(bootstrap, topics, client_config)
        async for batch in read_until_end(consumer, partitions):
            items = [
                (
                    (r.topic, r.partition),
                    r.offset,
                    await codec.decode_log_record(r.value, r.topic, r.partition, r.offset),
                )
                for r in batch
            ]
            _fold(result, items, window)
            if progress is not None:
                progress(result.events)
    finally:
        await consumer.stop()
    return result


def replay_items(
    items: Iterable[LogItem],
    window: ReplayWindow | None = None,
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> ReplayResult:
    """Fold already decoded log records (e.g. from an archive) exactly as :func:`replay_log`.

    Records of one partition must come in offset order; partitions may interleave.
    """
    window = window or ReplayWindow()
    result = ReplayResult(Projector(thresholds=thresholds))
    source = iter(items)
    while batch := list(islice(source, batch_size)):
        _fold(result, batch, window)
        if progress is not None:
            progress(result.events)
    return result


def _fold(
    result: ReplayResult,
    items: Iterable[tuple[Position, int, EventEnvelope | None]],
    window: ReplayWindow,
) -> None:
    for position, offset, event in items:
        result.projector.offer(position, offset, event)
        result.events += 1
    _advance(result, window)


def _advance(result: ReplayResult, window: ReplayWindow) -> None:
    for outputs in result.projector.advance(window.until, window.until_tick):
        result.outputs.append(outputs)
        result.ticks += 1
