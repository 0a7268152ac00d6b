"""The tick protocol verifies each tick, reads the ranges it lacks and fills them, without Kafka."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from structlog.testing import capture_logs

from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark
from hub.contracts.events.envelope import EventEnvelope
from hub.domain.hub import TickOutputs
from hub.domain.testing import heartbeat
from hub.processing.barrier import Gap, Position
from hub.processing.projector import Projector
from hub.processing.tick_protocol import advance_ticks

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
LOG: Position = ("kcr.log.heartbeat", 0)
CLOCK: Position = ("kcr.log.clock", 0)
Records = list[tuple[int, EventEnvelope | None]]


class MemoryLog:
    """A gap source over partitions held in memory; it remembers the gaps asked for."""

    def __init__(self, partitions: dict[Position, Records]) -> None:
        self.partitions = partitions
        self.asked: list[Gap] = []

    async def read(self, gap: Gap) -> Records:
        """Return the records of ``gap`` this log holds."""
        self.asked.append(gap)
        held = self.partitions.get(gap.position, [])
        return [(offset, event) for offset, event in held if gap.after < offset <= gap.upto]


class Published:
    """Collects the outputs of every evaluated tick."""

    def __init__(self) -> None:
        self.outputs: list[TickOutputs] = []

    async def __call__(self, outputs: TickOutputs) -> None:
        """Keep ``outputs``."""
        self.outputs.append(outputs)

    def ticks(self) -> list[int]:
        """Return the numbers of the ticks evaluated, in order."""
        return [o.tick for o in self.outputs]


def _tick(number: int, upto: int | None = None, records: int | None = None) -> ClockTicked:
    covers = () if upto is None else (LogMark(
        topic=LOG[0], partition=LOG[1], offset=upto, after=-1, records=records
    ),)  # fmt: skip
    return ClockTicked(
        id=f"clock-{number}",
        time=T0 + timedelta(seconds=number),
        data=ClockTickedData(tick=number, covers=covers),
    )


def _beats(count: int) -> Records:
    """``count`` heartbeats at offsets 0.. of the heartbeat log."""
    return [(i, heartbeat(T0 + timedelta(milliseconds=i), f"vr{i + 1:02d}")) for i in range(count)]


async def test_a_complete_tick_is_released_without_reading_the_log() -> None:
    """A tick whose counted records are all held is evaluated; nothing is read back."""
    projector, log, published = Projector(), MemoryLog({}), Published()
    for offset, event in _beats(2):
        projector.offer(LOG, offset, event)
    projector.offer(CLOCK, 0, _tick(0, upto=1, records=2))
    assert await advance_ticks(projector, log, published) == 1
    assert published.ticks() == [0]
    assert log.asked == []
    assert projector.applied(LOG) == 1


async def test_a_missing_range_is_read_from_the_log_and_filled() -> None:
    """A record the consumer skipped is read back; the tick is then evaluated with it."""
    beats = _beats(3)
    projector, log, published = Projector(), MemoryLog({LOG: beats}), Published()
    for offset, event in (beats[0], beats[2]):  # offset 1 skipped
        projector.offer(LOG, offset, event)
    projector.offer(CLOCK, 0, _tick(0, upto=2, records=3))
    with capture_logs() as logs:
        assert await advance_ticks(projector, log, published) == 1
    assert log.asked == [Gap(LOG, -1, 2)]
    assert [e["event"] for e in logs] == ["worker.gap_refetched"]
    assert projector.projection.state.activity.last_seen("vr02") is not None


async def test_a_count_still_short_after_a_fill_is_reported_and_evaluated() -> None:
    """When the log itself holds fewer records than the tick counts, what it holds is used."""
    beats = _beats(2)
    projector, log, published = Projector(), MemoryLog({LOG: beats}), Published()
    for offset, event in beats:
        projector.offer(LOG, offset, event)
    projector.offer(CLOCK, 0, _tick(0, upto=1, records=3))
    with capture_logs() as logs:
        assert await advance_ticks(projector, log, published) == 1
    assert [e["event"] for e in logs] == ["worker.gap_refetched", "worker.count_mismatch"]
    assert logs[1]["tick"] == 0
    assert published.ticks() == [0]


async def test_a_skipped_tick_is_read_from_the_clock_partition() -> None:
    """Tick 1 was never delivered: it is read from the clock's range, then 1 and 2 follow."""
    ticks = [_tick(n) for n in range(3)]
    clock: Records = list(enumerate(ticks))
    projector, log, published = Projector(), MemoryLog({CLOCK: clock}), Published()
    projector.offer(CLOCK, 0, ticks[0])
    projector.offer(CLOCK, 2, ticks[2])
    assert await advance_ticks(projector, log, published) == 3
    assert log.asked == [Gap(CLOCK, 0, 1)]
    assert published.ticks() == [0, 1, 2]


async def test_a_partition_merely_behind_is_waited_for() -> None:
    """A range not yet seen is not read back unless its partition counts as stalled."""
    beats = _beats(2)
    projector, log, published = Projector(), MemoryLog({LOG: beats}), Published()
    projector.offer(LOG, *beats[0])
    projector.offer(CLOCK, 0, _tick(0, upto=1, records=2))
    assert await advance_ticks(projector, log, published) == 0
    assert log.asked == []
    stalled = await advance_ticks(projector, log, published, lambda head: lambda p: p == LOG)
    assert stalled == 1
    assert log.asked == [Gap(LOG, -1, 1)]
