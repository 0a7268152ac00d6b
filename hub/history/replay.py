"""Replay: fold the whole log through the same projector the live workers run, in-process.

Because ticks carry the log offsets they cover, a replay applies exactly the events the live
worker applied before each tick, so the views and signals it computes are the ones the live
system published (up to any tick or time: time travel with ``until``). The log is read with
the history reader (:mod:`hub.kafka.history_reader`, librdkafka, in batches) and decoded a
batch at a time, events of the current schema built without validating them again
(:meth:`hub.codec.serde.EventCodec.decode_log_values`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from hub.codec.serde import EventCodec, log_undecodable
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.envelope import EventEnvelope
from hub.domain.hub import TickOutputs
from hub.domain.thresholds import Thresholds
from hub.errors import CodecError
from hub.kafka.history_reader import read_topics
from hub.kafka.records import ConsumedRecord
from hub.processing.barrier import Position
from hub.processing.projector import Projector
from hub.topics.declaration import TopicNames

__all__ = [
    "LogItem",
    "Progress",
    "ReadItem",
    "ReplayResult",
    "ReplayWindow",
    "decoded_items",
    "fewer_collections",
    "replay_items",
    "replay_log",
]

LogItem = tuple[Position, int, EventEnvelope]
"""One log record to fold: its partition, offset and decoded event."""
ReadItem = tuple[Position, int, EventEnvelope | None]
"""One log record as read: its partition, offset and event (None: undecodable, logged)."""
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
    client_config: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    group: str = "kcr-history",
) -> ReplayResult:
    """Read every log topic to its current end and evaluate every tick within ``window``.

    ``client_config``: librdkafka options (the login, :func:`hub.kafka.clients.confluent_options`).
    ``progress`` (optional) is told the number of records folded after each batch. ``group``:
    the reader's group id, for the broker's access rules only (it joins and commits nothing);
    a service passes one its login may use.
    """
    window = window or ReplayWindow()
    result = ReplayResult(Projector(thresholds=thresholds))
    topics = [names.log(family) for family in FAMILIES]
    batches = read_topics(bootstrap, topics, client_config, name=group)
    with fewer_collections():
        async with aclosing(batches):
            async for batch in batches:
                _fold(result, await decoded_items(codec, batch), window)
                if progress is not None:
                    progress(result.events)
    return result


async def decoded_items(codec: EventCodec, batch: Sequence[ConsumedRecord]) -> list[ReadItem]:
    """Return the log records of ``batch`` with their events (None, logged: undecodable)."""
    events = await codec.decode_log_values([record.value() for record in batch])
    items: list[ReadItem] = []
    append = items.append
    for record, event in zip(batch, events, strict=True):
        position, offset = (record.topic() or "", record.partition() or 0), record.offset() or 0
        if isinstance(event, CodecError):
            log_undecodable(event, *position, offset)
            append((position, offset, None))
        else:
            append((position, offset, event))
    return items


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
    with fewer_collections():
        while batch := list(islice(source, batch_size)):
            _fold(result, batch, window)
            if progress is not None:
                progress(result.events)
    return result


_COLLECT_AFTER = (100_000, 50, 100)  # allocations before a young collection; older ones rarer


class _Collections:
    """The process's collector thresholds while replays run (they are the process's own)."""

    replaying = 0
    saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Let Python's cyclic garbage collector run less often while a replay folds the log.

    A replay allocates millions of objects it keeps (events until their tick, the projection's
    state), and with the default thresholds (700 allocations) the collector walked them again
    and again: ~20 % of a replay's CPU (100,000 events: 12,500 → 15,000 events/s; without any
    collection 17,000). Cycles are still collected, later; the thresholds are restored when
    the last replay under way in the process ends.
    """
    if _Collections.replaying == 0:
        _Collections.saved = gc.get_threshold()
        gc.set_threshold(*_COLLECT_AFTER)
    _Collections.replaying += 1
    try:
        yield
    finally:
        _Collections.replaying -= 1
        if _Collections.replaying == 0:
            gc.set_threshold(*_Collections.saved)


def _fold(result: ReplayResult, items: Sequence[ReadItem], window: ReplayWindow) -> None:
    offer = result.projector.offer
    for position, offset, event in items:
        offer(position, offset, event)
    result.events += len(items)
    _advance(result, window)


def _advance(result: ReplayResult, window: ReplayWindow) -> None:
    for outputs in result.projector.advance(window.until, window.until_tick):
        result.outputs.append(outputs)
        result.ticks += 1
