"""A small scripted log (events and the clock ticks covering them), as replay input and records."""

from __future__ import annotations

from dataclasses import dataclass

from hub.codec.headers import to_ce_headers
from hub.codec.wire import pack
from hub.contracts.events.clock import LogMark
from hub.contracts.events.envelope import EventEnvelope
from hub.domain import testing as given
from hub.history.replay import LogItem

CLOCK = "kcr.log.clock"


@dataclass(frozen=True)
class ScriptedRecord:
    """A Kafka record as the history reader hands it over (a ``ConsumedRecord``)."""

    _topic: str
    _partition: int
    _offset: int
    _timestamp: int
    _key: bytes | None
    _value: bytes | None
    _headers: list[tuple[str, bytes]]

    def topic(self) -> str | None:
        """The record's topic."""
        return self._topic

    def partition(self) -> int | None:
        """The record's partition."""
        return self._partition

    def offset(self) -> int | None:
        """The record's offset."""
        return self._offset

    def key(self) -> bytes | None:
        """The record's key."""
        return self._key

    def value(self) -> bytes | None:
        """The record's value."""
        return self._value

    def headers(self) -> list[tuple[str, bytes]] | None:
        """The record's headers."""
        return self._headers

    def timestamp(self) -> tuple[int, int]:
        """(create time, milliseconds since the epoch)."""
        return 1, self._timestamp


class ScriptedLog:
    """Appends events to per-family topics and ticks that cover everything so far."""

    def __init__(self) -> None:
        self.items: list[LogItem] = []
        self._next: dict[str, int] = {}
        self._ticks = 0

    def add(self, event: EventEnvelope) -> None:
        """Append ``event`` to ``kcr.log.<family>`` partition 0."""
        family = event.type.split(".")[2]
        self._append(f"kcr.log.{family}", event)

    def tick(self, minute: float) -> None:
        """Append a tick at ``minute`` covering every record appended so far."""
        marks = [
            LogMark(topic=topic, partition=0, offset=offset - 1)
            for topic, offset in sorted(self._next.items())
            if topic != CLOCK
        ]
        tick = given.clock_ticked(self._ticks, given.minutes(minute), covers=marks)
        self._ticks += 1
        self._append(CLOCK, tick)

    def _append(self, topic: str, event: EventEnvelope) -> None:
        offset = self._next.get(topic, 0)
        self._next[topic] = offset + 1
        self.items.append(((topic, 0), offset, event))

    def records(self) -> list[ScriptedRecord]:
        """The items as Kafka records (schema id 100 + index of type, a dummy Avro body)."""
        records = []
        for (topic, partition), offset, event in self.items:
            value = pack(100 + len(event.type), b"\x00")
            timestamp = int(event.time.timestamp() * 1000)
            headers: list[tuple[str, bytes]] = list(to_ce_headers(event))
            key = event.subject.encode()
            records.append(ScriptedRecord(topic, partition, offset, timestamp, key, value, headers))
        return records


def crisis_log() -> ScriptedLog:
    """GRIP 2 → 4 → closed in vr19, pumps dropping to 5 of 100 and back: signals rise and clear."""
    log = ScriptedLog()
    at = given.minutes
    log.add(given.capacity_reported("pump", at(0), "vr19", total=100, available=90))
    log.add(given.incident_reported("inc-zl", at(0), "vr19", grip_level="2"))
    log.tick(1)
    log.add(given.incident_updated("inc-zl", at(2), "vr19", grip_level="4"))
    log.add(given.capacity_reported("pump", at(2), "vr19", total=100, available=5))
    log.tick(3)
    log.tick(4)
    log.add(given.incident_closed("inc-zl", at(5), "vr19"))
    log.add(given.capacity_reported("pump", at(5), "vr19", total=100, available=80))
    log.tick(6)
    return log
