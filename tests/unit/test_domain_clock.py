"""The clock tick contract: the hub's own time, carried as events in kcr.log.clock."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import fastavro
import pytest
from pydantic import ValidationError

from hub.contracts.avro_schema import avro_schema_for, from_avro_record, to_avro_record
from hub.contracts.events.catalogue import (
    EVENT_TYPES,
    family_of,
    parse_event,
    to_cloudevent_json,
)
from hub.contracts.events.clock import ClockTicked, ClockTickedData, LogMark
from hub.contracts.events.envelope import Tlp
from hub.contracts.organisations import load_registry

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _tick(**data: object) -> ClockTicked:
    """Return a tick with the given payload fields."""
    return ClockTicked.model_validate({"id": "tick-1", "time": NOW, "data": {"tick": 1, **data}})


def test_tick_defaults_to_hub_clock_and_green() -> None:
    """Given only id, time and tick, the tick is from 'hub' about 'clock' at TLP GREEN."""
    tick = _tick()
    assert (tick.type, tick.source, tick.subject, tick.tlp) == (
        "nl.kcr.clock.ticked", "hub", "clock", Tlp.GREEN,
    )  # fmt: skip
    assert tick.data.covers == ()


def test_tick_time_is_utc() -> None:
    """A tick time with an offset is kept as the same instant in UTC."""
    tick = ClockTicked.model_validate(
        {"id": "t", "time": datetime(2026, 11, 27, 11, 0, tzinfo=timezone(timedelta(hours=1))),
         "data": {"tick": 0}}
    )  # fmt: skip
    assert tick.time == NOW
    assert tick.time.tzinfo is UTC


def test_tick_carries_log_marks() -> None:
    """The marks name the last offset per log partition the tick covers."""
    tick = _tick(covers=[{"topic": "kcr.log.incident", "partition": 2, "offset": 41}])
    assert tick.data.covers == (LogMark(topic="kcr.log.incident", partition=2, offset=41),)


def test_tick_refuses_two_marks_for_one_partition() -> None:
    """Two marks for the same topic and partition are ambiguous and rejected."""
    marks = [{"topic": "kcr.log.incident", "partition": 0, "offset": o} for o in (1, 2)]
    with pytest.raises(ValidationError, match=r"kcr.log.incident\[0\] more than once"):
        _tick(covers=marks)


@pytest.mark.parametrize(
    "data",
    [{"tick": -1}, {"tick": 0, "covers": [{"topic": "x", "partition": -1, "offset": 0}]},
     {"tick": 0, "covers": [{"topic": "bad topic", "partition": 0, "offset": 0}]}],
)  # fmt: skip
def test_tick_refuses_negative_numbers_and_bad_topics(data: dict[str, object]) -> None:
    """Tick numbers, partitions and offsets are ≥ 0; topic names have no spaces."""
    with pytest.raises(ValidationError):
        ClockTickedData.model_validate(data)


def test_tick_refuses_another_source() -> None:
    """Only the hub ticks."""
    with pytest.raises(ValidationError):
        ClockTicked.model_validate({"id": "t", "source": "vr19", "time": NOW, "data": {"tick": 0}})


def test_tick_is_in_the_catalogue_and_only_the_hub_may_publish_it() -> None:
    """The catalogue knows nl.kcr.clock.ticked (family clock); no partner role may send it."""
    assert EVENT_TYPES["nl.kcr.clock.ticked"] is ClockTicked
    assert family_of("nl.kcr.clock.ticked") == "clock"
    registry = load_registry()
    publishers = [
        o.id for o in registry.organisations() if registry.may_publish(o.id, "nl.kcr.clock.ticked")
    ]
    assert publishers == ["hub"]


def test_tick_survives_the_json_form() -> None:
    """A tick written as CloudEvents JSON parses back equal."""
    tick = _tick(covers=[{"topic": "kcr.log.capacity", "partition": 0, "offset": 7}])
    assert parse_event(to_cloudevent_json(tick)) == tick


def test_tick_survives_avro() -> None:
    """A tick written by fastavro with its generated schema reads back equal."""
    tick = _tick(covers=[{"topic": "kcr.log.capacity", "partition": 0, "offset": 7}])
    schema = fastavro.parse_schema(avro_schema_for(ClockTicked))
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, to_avro_record(tick))
    buffer.seek(0)
    record = fastavro.schemaless_reader(buffer, schema, None)
    assert isinstance(record, dict)
    assert from_avro_record(ClockTicked, record) == tick


def test_tick_schema_lives_in_the_clock_namespace() -> None:
    """The generated schema is nl.kcr.clock.ClockTicked with a LogMark record."""
    schema = avro_schema_for(ClockTicked)
    assert (schema["namespace"], schema["name"]) == ("nl.kcr.clock", "ClockTicked")
    assert "LogMark" in str(schema)
