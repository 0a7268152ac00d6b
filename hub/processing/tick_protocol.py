"""The tick protocol of the live worker: verify each tick, read the ranges it lacks, fill them.

A tick is evaluated only once the barrier holds every record it counts
(:meth:`~hub.processing.barrier.TickBarrier.releases` with ``verify``). When the first pending
tick lacks records (a consumer skipped them, or a tick number is missing), the ranges it
lacks (:meth:`~hub.processing.barrier.TickBarrier.gaps`) are read from the log through a
:class:`GapSource` and filled in. A range read back that still disagrees with the tick's count
is reported (``worker.count_mismatch``) and the tick is evaluated with what the log holds: the
log is the truth, as in a replay.

No Kafka here: the worker passes its reader of the log (:class:`hub.streams.gap_reader.GapReader`);
the unit tests pass one in memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from hub.contracts.events.envelope import EventEnvelope
from hub.domain.hub import TickOutputs
from hub.logs import get_logger
from hub.processing.barrier import Gap, Position
from hub.processing.projector import Projector

__all__ = ["GapSource", "Publish", "StalledFor", "advance_ticks"]

_log = get_logger("hub.worker")

Publish = Callable[[TickOutputs], Awaitable[None]]
"""Sends one tick's outputs on."""

StalledFor = Callable[[int | None], Callable[[Position], bool]]
"""Given the first pending tick, the test of whether a partition stopped delivering."""


class GapSource(Protocol):
    """Reads one range of a log partition again, from the log itself."""

    async def read(self, gap: Gap) -> list[tuple[int, EventEnvelope | None]]:
        """Return ``gap``'s records as ``(offset, event)`` by offset (None: undecodable)."""
        ...


def _never_stalled(head: int | None) -> Callable[[Position], bool]:
    """No partition counts as stalled: only ranges already seen in full are read back."""
    del head
    return lambda position: False


async def advance_ticks(
    projector: Projector,
    source: GapSource,
    publish: Publish,
    stalled_for: StalledFor = _never_stalled,
) -> int:
    """Evaluate every tick whose records are all held, reading lacking ranges from ``source``.

    Returns how many ticks were evaluated. Stops when the first pending tick lacks nothing
    that can be read yet (its partitions are merely behind), or when even after a fill its
    ranges are not seen up to its marks. Errors of ``source`` propagate (the caller retries
    with its next batch).
    """
    evaluated, filled_for = 0, None
    while True:
        evaluated += await _release(projector, publish, verify=True)
        head = projector.barrier.first_pending_tick()
        gaps = projector.barrier.gaps(stalled_for(head))
        if not gaps:
            return evaluated
        if filled_for == head:
            _log.error("worker.count_mismatch", tick=head, gaps=[str(g) for g in gaps])
            released = await _release(projector, publish, until_tick=head)
            evaluated += released
            if not released:  # not even seen up to its marks: wait for more
                return evaluated
            continue
        for gap in gaps:
            _log.warning("worker.gap_refetched", tick=head, gap=str(gap))
            projector.barrier.fill(gap, await source.read(gap))
        filled_for = head


async def _release(
    projector: Projector, publish: Publish, *, verify: bool = False, until_tick: int | None = None
) -> int:
    """Evaluate the ticks the barrier releases and publish their outputs; return how many."""
    count = 0
    for outputs in projector.advance(until_tick=until_tick, verify=verify):
        await publish(outputs)
        count += 1
    return count
