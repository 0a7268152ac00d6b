"""The tick barrier releases exactly the covered events before each tick, whatever the order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark
from hub.contracts.events.envelope import EventEnvelope
from hub.domain.testing import heartbeat
from hub.processing.barrier import Gap, TickBarrier

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
A, B = ("kcr.log.incident", 0), ("kcr.log.capacity", 0)


def _tick(number: int, **marks: int) -> ClockTicked:
    covers = tuple(
        LogMark(topic=f"kcr.log.{name}", partition=0, offset=offset)
        for name, offset in marks.items()
    )
    return ClockTicked(
        id=f"clock-{number}", time=T0 + timedelta(seconds=number),
        data=ClockTickedData(tick=number, covers=covers),
    )  # fmt: skip


def _event(index: int) -> EventEnvelope:
    """A heartbeat whose id is named after ``index`` (e0, e1, ...)."""
    event = heartbeat(T0 + timedelta(milliseconds=index), "vr01")
    return event.model_copy(update={"id": f"e{index}"})


def test_a_tick_waits_until_every_covered_event_has_arrived() -> None:
    """Tick 1 covers incident@1 and capacity@0; it is released only after both arrived."""
    barrier = TickBarrier()
    barrier.offer_tick(_tick(1, incident=1, capacity=0))
    barrier.offer_event(A, 0, _event(0))
    assert list(barrier.releases()) == []
    barrier.offer_event(A, 1, _event(1))
    barrier.offer_event(B, 0, _event(2))
    [release] = list(barrier.releases())
    assert [e.id for e in release.events] == ["e2", "e0", "e1"]
    assert barrier.applied == {A: 1, B: 0}


def test_events_beyond_the_marks_wait_for_the_next_tick() -> None:
    """An event after a tick's mark is not applied before that tick, but before the next."""
    barrier = TickBarrier()
    for offset in range(3):
        barrier.offer_event(A, offset, _event(offset))
    barrier.offer_tick(_tick(1, incident=0))
    barrier.offer_tick(_tick(2, incident=2))
    first, second = list(barrier.releases())
    assert [e.id for e in first.events] == ["e0"]
    assert [e.id for e in second.events] == ["e1", "e2"]


def test_redelivered_events_and_ticks_are_dropped() -> None:
    """After a restore, offsets at or below the applied ones and old ticks change nothing."""
    barrier = TickBarrier(applied={A: 4}, last_tick=7)
    barrier.offer_event(A, 4, _event(4))
    barrier.offer_tick(_tick(7, incident=4))
    barrier.offer_event(A, 5, _event(5))
    barrier.offer_tick(_tick(8, incident=5))
    [release] = list(barrier.releases())
    assert [e.id for e in release.events] == ["e5"]
    assert release.tick.data.tick == 8


def test_until_stops_before_a_later_tick_and_keeps_it() -> None:
    """Releases stop at the first tick after ``until``; it is released by a later call."""
    barrier = TickBarrier()
    barrier.offer_tick(_tick(1))
    barrier.offer_tick(_tick(5))
    assert [r.tick.data.tick for r in barrier.releases(until=T0 + timedelta(seconds=3))] == [1]
    assert [r.tick.data.tick for r in barrier.releases()] == [5]


@given(st.randoms(use_true_random=False))
def test_any_interleaving_of_partitions_releases_the_same_sequence(rnd: random.Random) -> None:
    """Shuffling the arrival order across partitions (keeping each in order) changes nothing."""
    per_partition = {
        A: [(i, _event(i)) for i in range(6)],
        B: [(i, _event(10 + i)) for i in range(4)],
    }
    ticks = [_tick(1, incident=2, capacity=0), _tick(2, incident=5, capacity=3)]

    def run(order: list[tuple[int, int, EventEnvelope] | ClockTicked]) -> list[list[str]]:
        barrier = TickBarrier()
        for item in order:
            if isinstance(item, ClockTicked):
                barrier.offer_tick(item)
            else:
                position = A if item[0] == 0 else B
                barrier.offer_event(position, item[1], item[2])
        return [[e.id for e in r.events] for r in barrier.releases()]

    streams: list[list[tuple[int, int, EventEnvelope] | ClockTicked]] = [
        [(0, o, e) for o, e in per_partition[A]],
        [(1, o, e) for o, e in per_partition[B]],
        list(ticks),
    ]
    merged: list[tuple[int, int, EventEnvelope] | ClockTicked] = []
    while any(streams):
        stream = rnd.choice([s for s in streams if s])
        merged.append(stream.pop(0))
    assert run(merged) == [["e10", "e0", "e1", "e2"], ["e11", "e12", "e13", "e3", "e4", "e5"]]


CLOCK = ("kcr.log.clock", 0)


def _counted(number: int, after: int, offset: int, records: int) -> ClockTicked:
    """A tick covering incident[0] with a count of the records in (after, offset]."""
    mark = LogMark(topic=A[0], partition=A[1], offset=offset, after=after, records=records)
    return ClockTicked(
        id=f"clock-{number}", time=T0 + timedelta(seconds=number),
        data=ClockTickedData(tick=number, covers=(mark,)),
    )  # fmt: skip


def test_a_verified_tick_waits_for_a_record_the_consumer_skipped() -> None:
    """Offsets 0 and 2 arrived, the tick counts 3: it names the gap and waits for the fill."""
    barrier = TickBarrier()
    barrier.offer_event(A, 0, _event(0))
    barrier.offer_event(A, 2, _event(2))
    barrier.offer_tick(_counted(1, after=-1, offset=2, records=3))
    assert list(barrier.releases(verify=True)) == []
    assert barrier.gaps() == [Gap(A, -1, 2)]
    barrier.fill(Gap(A, -1, 2), [(0, _event(0)), (1, _event(1)), (2, _event(2))])
    assert barrier.gaps() == []
    [release] = list(barrier.releases(verify=True))
    assert [e.id for e in release.events] == ["e0", "e1", "e2"]


def test_without_verify_the_seen_records_are_released() -> None:
    """A replay reads every record itself: it does not wait on the counts."""
    barrier = TickBarrier()
    barrier.offer_event(A, 0, _event(0))
    barrier.offer_event(A, 2, _event(2))
    barrier.offer_tick(_counted(1, after=-1, offset=2, records=3))
    [release] = list(barrier.releases())
    assert [e.id for e in release.events] == ["e0", "e2"]


def test_offsets_of_transaction_markers_are_no_gap() -> None:
    """Offset 1 is a commit marker: two records in (-1, 2] is complete."""
    barrier = TickBarrier()
    barrier.offer_event(A, 0, _event(0))
    barrier.offer_event(A, 2, _event(2))
    barrier.offer_tick(_counted(1, after=-1, offset=2, records=2))
    assert barrier.gaps() == []
    assert len(list(barrier.releases(verify=True))) == 1


def test_a_skipped_tick_is_a_gap_of_the_clock_partition() -> None:
    """Ticks 1 and 3 arrived at clock offsets 0 and 2: tick 2 (offset 1) is read back first."""
    barrier = TickBarrier()
    barrier.offer_tick(_tick(1), CLOCK, 0)
    barrier.offer_tick(_tick(3), CLOCK, 2)
    assert [r.tick.data.tick for r in barrier.releases(verify=True)] == [1]
    assert barrier.gaps() == [Gap(CLOCK, 0, 1)]
    barrier.fill(Gap(CLOCK, 0, 1), [(1, _tick(2))])
    assert [r.tick.data.tick for r in barrier.releases(verify=True)] == [2, 3]
    assert barrier.applied[CLOCK] == 2


def test_a_mark_never_reached_is_a_gap_only_once_its_partition_stalls() -> None:
    """Nothing arrives up to the mark: a slow consumer is waited for, a stalled one read back."""
    barrier = TickBarrier()
    barrier.offer_event(A, 0, _event(0))
    barrier.offer_tick(_counted(1, after=-1, offset=3, records=4))
    for number in (2, 3, 4):
        barrier.offer_tick(_counted(number, after=3, offset=3, records=0))
    assert barrier.gaps() == []
    assert barrier.gaps(stalled=lambda position: False) == []
    assert barrier.gaps(stalled=lambda position: position == A) == [Gap(A, -1, 3)]


def test_an_undecodable_record_counts_but_is_never_applied() -> None:
    """Offset 1 could not be decoded: the tick's count of 3 holds, only e0 and e2 are applied."""
    barrier = TickBarrier()
    barrier.offer_event(A, 0, _event(0))
    barrier.offer_event(A, 1, None)
    barrier.offer_event(A, 2, _event(2))
    barrier.offer_tick(_counted(1, after=-1, offset=2, records=3))
    assert barrier.gaps() == []
    [release] = list(barrier.releases(verify=True))
    assert [e.id for e in release.events] == ["e0", "e2"]
    assert barrier.applied == {A: 2}
