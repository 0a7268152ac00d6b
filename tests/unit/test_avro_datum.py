"""The outputs' fast Avro datum writes the same bytes as the plain record it replaced.

:func:`hub.contracts.avro_schema.avro_datum` hands fastavro ``model_dump()`` as it is (StrEnum
members, tuples); :func:`~hub.contracts.avro_schema.to_avro_record` turns them into strings and
lists first. Given every event of the demo's storyline and every view, signal and workflow
output the hub computes from it (ticks at each beat and after the story), the bytes are equal.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fastavro
from pydantic import BaseModel

from hub.contracts.avro_schema import avro_datum, avro_schema_for, to_avro_record
from hub.contracts.events.catalogue import parse_event
from hub.contracts.models import is_log_event
from hub.contracts.outputs import OUTPUT_TYPES, output_namespace
from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.output_kinds import output_kinds
from hub.domain.testing import incident_updated, minutes
from hub.simulator.storyline import STORYLINE

_EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"

_START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)


def _items(outputs: TickOutputs) -> list[BaseModel]:
    items: list[BaseModel] = [record.view for record in outputs.views]
    for kind in output_kinds(outputs):
        items.extend(getattr(outputs, kind.name))
    return items


def _story_items() -> list[BaseModel]:
    """Every event of the storyline and every output a hub computes from it."""
    hub = HubProjection()
    items: list[BaseModel] = []
    tick = 0
    for beat in STORYLINE:
        at = _START + timedelta(seconds=beat.at)
        events = beat.events(at)
        items.extend(events)
        hub.apply_all(events)
        tick += 1
        items.extend(_items(hub.tick(at + timedelta(seconds=1), tick)))
    for hours in (1, 6, 30):  # silence, staleness, overdue requests, expiry
        tick += 1
        items.extend(_items(hub.tick(_START + timedelta(hours=hours), tick)))
    return items


def _write(item: BaseModel, datum: object) -> bytes:
    model = type(item)
    if is_log_event(model):
        schema = avro_schema_for(model)
    else:
        schema = avro_schema_for(model, namespace=output_namespace(model))
    buffer = io.BytesIO()
    fastavro.schemaless_writer(
        buffer, fastavro.parse_schema(schema), datum, disable_tuple_notation=True
    )
    return buffer.getvalue()


def test_the_datum_writes_the_bytes_of_the_plain_record() -> None:
    """For every storyline event and output (of many kinds), both datums give equal bytes."""
    items = _story_items()
    kinds = {type(item).__name__ for item in items}
    assert {"IncidentView", "RegionView", "NationalSituationView", "ResourceCapacityView"} <= kinds
    assert any(type(item) in set(OUTPUT_TYPES.values()) for item in items)  # signals, workflows
    for item in items:
        assert _write(item, avro_datum(item)) == _write(item, to_avro_record(item)), item


def test_every_example_event_writes_the_bytes_of_the_plain_record() -> None:
    """Each partner example and an incident update that moves regions: equal bytes.

    Optional lists are unions: fastavro would read a tuple there as a branch name.
    """
    events = [
        parse_event(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(_EXAMPLES.glob("*.json"))
    ]
    assert len(events) >= 18
    events.append(incident_updated("inc-1", minutes(3), regions=["vr19", "vr20"]))
    for event in events:
        assert _write(event, avro_datum(event)) == _write(event, to_avro_record(event)), event
