"""Log events as plain Python records, from the log (Kafka) or from an archive file.

Each :class:`LogEvent` carries the envelope's time, type, source and subject, its data as a
plain dict, where it was in the log, and the number of the clock tick that covered it (the tick
before which the processors applied it; None if no tick covers it yet).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.clock import ClockTicked
from hub.errors import CodecError
from hub.history.archive.reader import log_items
from hub.history.replay import LogItem
from hub.kafka.history_reader import read_topics
from hub.processing.barrier import Position
from hub.topics.declaration import TopicNames

__all__ = ["LogEvent", "events_from_archive", "read_log_items", "to_log_events"]


@dataclass(frozen=True)
class LogEvent:
    """One event of the log, as plain data."""

    time: datetime
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    tick: int | None
    topic: str
    partition: int
    offset: int
    id: str


async def read_log_items(
    bootstrap: str,
    names: TopicNames,
    codec: EventCodec,
    client_config: Mapping[str, str] | None = None,
) -> list[LogItem]:
    """Return every record of the log topics up to their current end, decoded, in read order.

    ``client_config``: librdkafka options (the login). Raises :class:`CodecError` for a record
    that is not a log event.
    """
    items: list[LogItem] = []
    topics = [names.log(family) for family in FAMILIES]
    async with aclosing(read_topics(bootstrap, topics, client_config)) as batches:
        async for batch in batches:
            events = await codec.decode_log_values([record.value() for record in batch])
            for r, event in zip(batch, events, strict=True):
                if isinstance(event, CodecError):
                    raise event
                items.append(((r.topic() or "", r.partition() or 0), r.offset() or 0, event))
    return items


def events_from_archive(path: Path) -> list[LogEvent]:
    """Return the events of a ``kcr export`` archive (no broker, no registry)."""
    return to_log_events(list(log_items(path)))


def to_log_events(items: Iterable[LogItem]) -> list[LogEvent]:
    """Return ``items`` as :class:`LogEvent` records, ordered by time (then log position)."""
    items = list(items)
    covering = _tick_marks(items)
    events = []
    for (topic, partition), offset, event in items:
        tick = _covering_tick(covering, (topic, partition), offset)
        data = event.data.model_dump(mode="json")
        head = (event.time, event.type, event.source, event.subject, data, tick)
        events.append(LogEvent(*head, topic, partition, offset, event.id))
    return sorted(events, key=lambda e: (e.time, e.topic, e.partition, e.offset))


def _tick_marks(items: list[LogItem]) -> dict[Position, tuple[list[int], list[int]]]:
    """Per partition, the ticks' covered offsets (ascending) and their tick numbers."""
    ticks = sorted(
        (event for _, _, event in items if isinstance(event, ClockTicked)),
        key=lambda tick: tick.data.tick,
    )
    marks: dict[Position, tuple[list[int], list[int]]] = {}
    for tick in ticks:
        for mark in tick.data.covers:
            offsets, numbers = marks.setdefault((mark.topic, mark.partition), ([], []))
            if not offsets or mark.offset > offsets[-1]:
                offsets.append(mark.offset)
                numbers.append(tick.data.tick)
    return marks


def _covering_tick(
    marks: dict[Position, tuple[list[int], list[int]]], position: Position, offset: int
) -> int | None:
    offsets, numbers = marks.get(position, ([], []))
    index = bisect.bisect_left(offsets, offset)
    return numbers[index] if index < len(numbers) else None
