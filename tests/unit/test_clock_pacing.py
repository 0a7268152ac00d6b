"""The clock's pacing: when it ticks, decided without Kafka (a fake log and a fake clock).

A burst of records gives one tick after the linger; a continuous load gives ticks spaced by
the floor (``interval``); an idle log gives a heartbeat only, with the clock waiting in the
log's fetch meanwhile (no polling loop). The ticks cover every record exactly once, which is
what lets the workers' barrier, and so every replay, reproduce them.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError

from hub.codec.registry_client import SchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.clock import ClockTicked
from hub.streams.clock import ClockService, ClockSettings, Seen, TickPacer
from hub.topics.declaration import TopicNames

SETTINGS = ClockSettings(interval=0.02, heartbeat=2.0, linger=0.01, retry=0.2)
INCIDENTS = TopicPartition("t.log.incident", 0)
CAPACITY = TopicPartition("t.log.capacity", 1)


@dataclass
class FakeLog:
    """A log whose records arrive at scripted times, and the time itself (advanced by waits).

    ``fetch`` hands out what has arrived; else it "waits" by moving time on to the next
    arrival or by the whole ``wait``. Once time reaches ``until`` it sets ``stop``.
    """

    arrivals: list[tuple[float, TopicPartition]]
    until: float
    stop: asyncio.Event
    now: float = 0.0
    fetches: list[float] = field(default_factory=list)  # the wait of every fetch
    offsets: dict[TopicPartition, int] = field(default_factory=dict)

    def time(self) -> float:
        """The fake monotonic clock."""
        return self.now

    async def fetch(self, wait: float) -> Mapping[TopicPartition, Seen]:
        """Hand out what arrived, else move time on (see the class)."""
        self.fetches.append(wait)
        self.arrivals.sort(key=lambda arrival: arrival[0])
        if not self.arrivals or self.arrivals[0][0] > self.now + wait:
            self.now += wait
            if self.now >= self.until:
                self.stop.set()
            return {}
        self.now = max(self.now, self.arrivals[0][0])
        seen: dict[TopicPartition, Seen] = {}
        while self.arrivals and self.arrivals[0][0] <= self.now:
            _, tp = self.arrivals.pop(0)
            offset = self.offsets[tp] = self.offsets.get(tp, -1) + 1
            seen[tp] = Seen(offset, (seen[tp].records if tp in seen else 0) + 1)
        return seen


@dataclass
class Published:
    """The ticks the clock sent, with the (fake) time of each; ``refuse`` fails that many."""

    log: FakeLog
    refuse: int = 0
    ticks: list[tuple[float, ClockTicked]] = field(default_factory=list)

    async def __call__(self, tick: ClockTicked) -> None:
        """Take ``tick``, or refuse it as an unreachable broker would."""
        if self.refuse:
            self.refuse -= 1
            raise KafkaConnectionError()
        self.ticks.append((self.log.now, tick))

    @property
    def times(self) -> list[float]:
        """When each tick was taken."""
        return [at for at, _ in self.ticks]


def _clock(settings: ClockSettings = SETTINGS) -> ClockService:
    codec = EventCodec(cast(SchemaRegistry, object()))
    return ClockService("unused:9092", TopicNames("t"), codec, settings)


async def _run(
    arrivals: list[tuple[float, TopicPartition]], until: float, refuse: int = 0
) -> tuple[FakeLog, Published]:
    stop = asyncio.Event()
    log = FakeLog(arrivals, until, stop)
    published = Published(log, refuse)
    await asyncio.wait_for(_clock().follow(stop, log, published, log.time), timeout=30)
    return log, published


def _covered(ticks: list[tuple[float, ClockTicked]]) -> dict[tuple[str, int], int]:
    """Add up the records the ticks cover, per partition, checking each starts at the last."""
    total: dict[tuple[str, int], int] = {}
    last: dict[tuple[str, int], int] = {}
    for number, (_, tick) in enumerate(ticks):
        assert tick.data.tick == number
        for mark in tick.data.covers:
            where = (mark.topic, mark.partition)
            assert mark.after == last.get(where, -1)
            assert mark.records is not None
            assert mark.records == mark.offset - (mark.after if mark.after is not None else -1)
            last[where] = mark.offset
            total[where] = total.get(where, 0) + mark.records
    return total


# --- the decision itself --------------------------------------------------------------------


def test_pacer_burst_ticks_one_linger_after_the_first_record() -> None:
    """Records seen long after the last tick: the tick is due ``linger`` after the first."""
    pacer = TickPacer(SETTINGS, last_tick_at=4.0)
    pacer.seen(5.0)
    pacer.seen(5.004)  # more of the burst: the tick does not move
    assert pacer.due_at() == pytest.approx(5.01)
    assert pacer.wait(5.004) == pytest.approx(0.006)
    assert pacer.wait(5.01) == 0


def test_pacer_keeps_the_floor_after_a_tick() -> None:
    """Records right after a tick wait for ``interval`` since that tick, not only the linger."""
    pacer = TickPacer(SETTINGS)
    pacer.ticked(1.0)
    pacer.seen(1.001)
    assert pacer.due_at() == pytest.approx(1.02)


def test_pacer_idle_waits_for_the_heartbeat() -> None:
    """Nothing seen: the next tick is the heartbeat, and the whole wait is one fetch."""
    pacer = TickPacer(SETTINGS)
    pacer.ticked(3.0)
    assert pacer.due_at() == pytest.approx(5.0)
    assert pacer.wait(3.0) == pytest.approx(2.0)


def test_pacer_retries_a_failed_tick_after_the_retry_pause() -> None:
    """A refused tick is not tried again at once, whatever was due."""
    pacer = TickPacer(SETTINGS)
    pacer.ticked(1.0)
    pacer.seen(1.5)
    pacer.failed(1.51)
    assert pacer.due_at() == pytest.approx(1.71)
    assert pacer.pending_since == 1.5  # still pending: the retry covers what came meanwhile


def test_settings_keep_their_positional_order() -> None:
    """``ClockSettings(interval, heartbeat, client_config)`` still means what it meant."""
    settings = ClockSettings(0.1, 3.0, {"client_id": "x"})
    assert (settings.interval, settings.heartbeat, dict(settings.client_config)) == (
        0.1,
        3.0,
        {"client_id": "x"},
    )
    assert ClockSettings().linger <= ClockSettings().interval < ClockSettings().heartbeat


# --- the clock's loop over a fake log -------------------------------------------------------


async def test_a_burst_gives_one_tick_after_the_linger() -> None:
    """Ten records within 5 ms on two partitions: one tick, 10 ms after the first of them."""
    burst = [(1.0 + i * 0.0005, INCIDENTS if i % 2 else CAPACITY) for i in range(10)]
    _, published = await _run(burst, until=3.5)
    # the start tick (``interval`` after the start), the burst's tick, the heartbeat 2 s later
    assert published.times == pytest.approx([0.02, 1.01, 3.01])
    burst_tick = published.ticks[1][1]
    assert {(m.topic, m.partition): m.records for m in burst_tick.data.covers} == {
        ("t.log.incident", 0): 5,
        ("t.log.capacity", 1): 5,
    }
    assert _covered(published.ticks) == {("t.log.incident", 0): 5, ("t.log.capacity", 1): 5}


async def test_continuous_load_gives_ticks_spaced_by_the_floor() -> None:
    """A record every millisecond for a second: a tick every 20 ms, not one per record."""
    load = [(1.0 + i * 0.001, INCIDENTS) for i in range(1000)]
    _, published = await _run(load, until=2.5)
    during = [at for at in published.times if 1.0 <= at <= 2.0 + SETTINGS.interval]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert all(gap >= SETTINGS.interval - 1e-9 for gap in gaps)
    assert len(during) <= 1 / SETTINGS.interval + 2  # ~50 ticks a second at most
    assert len(during) >= 1 / SETTINGS.interval - 2  # and it does tick all along
    assert _covered(published.ticks) == {("t.log.incident", 0): 1000}


async def test_an_idle_log_gives_heartbeats_only_and_waits_in_the_fetch() -> None:
    """No records: a tick every ``heartbeat`` s, each the end of one long fetch (no polling)."""
    log, published = await _run([], until=7.0)
    assert published.times == pytest.approx([0.02, 2.02, 4.02, 6.02])
    assert all(not tick.data.covers for _, tick in published.ticks)
    long_waits = [wait for wait in log.fetches if wait >= SETTINGS.heartbeat - 1e-9]
    assert len(log.fetches) <= len(long_waits) + 2  # the start's short wait, the last one


async def test_a_refused_tick_is_sent_again_with_the_same_number() -> None:
    """The broker refuses the first tick: it is sent ``retry`` later, still number 0."""
    _, published = await _run([(0.001, INCIDENTS)], until=1.0, refuse=1)
    assert published.times[0] == pytest.approx(0.22)  # first tried at 0.02
    assert published.ticks[0][1].data.tick == 0
    assert _covered(published.ticks) == {("t.log.incident", 0): 1}


async def test_stop_ends_a_long_fetch() -> None:
    """Stopping does not wait out the fetch (which may wait up to the heartbeat)."""
    stop = asyncio.Event()
    fetching = asyncio.Event()

    class Silent:
        async def fetch(self, wait: float) -> Mapping[TopicPartition, Seen]:
            fetching.set()
            await asyncio.Event().wait()  # never any record
            return {}

    async def publish(tick: ClockTicked) -> None:
        return None

    follow = asyncio.create_task(_clock().follow(stop, Silent(), publish))
    await fetching.wait()
    stop.set()
    await asyncio.wait_for(follow, timeout=30)  # a hang guard, not a speed measure
