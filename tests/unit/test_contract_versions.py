"""Every released contract version stays readable: FULL_TRANSITIVE against schemas/released/."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastavro
import pytest

from hub.contracts.avro_schema import render_schemas, to_avro_record
from hub.contracts.events.catalogue import parse_event
from hub.registry.avro_schema import AvroSchema, parse_avro
from hub.registry.compatibility import CompatibilityLevel, compatibility_errors
from tests.unit.conftest import REPO

RELEASED = REPO / "schemas" / "released"


def _versions() -> list[Path]:
    return sorted((p for p in RELEASED.iterdir() if p.is_dir()), key=lambda p: int(p.name))


def _released(name: str) -> list[tuple[int, AvroSchema]]:
    return [
        (int(folder.name), parse_avro((folder / name).read_text(encoding="utf-8")))
        for folder in _versions()
        if (folder / name).exists()
    ]


def test_every_released_event_type_still_exists() -> None:
    """No event type of a released version is dropped: its partners' records must still land."""
    current = set(render_schemas())
    for folder in _versions():
        assert {p.name for p in folder.glob("*.avsc")} <= current, folder


@pytest.mark.parametrize("name", sorted(render_schemas()))
def test_the_current_schema_is_full_transitive_with_every_release(name: str) -> None:
    """The generated schema reads, and is read by, every released version of its event type."""
    new = parse_avro(render_schemas()[name])
    assert compatibility_errors(CompatibilityLevel.FULL_TRANSITIVE, new, _released(name)) == []


def test_a_changed_field_type_would_be_caught() -> None:
    """The check is not vacuous: a required field added to a release is refused."""
    name = "incident.reported.avsc"
    schema: dict[str, Any] = json.loads(render_schemas()[name])
    schema["fields"].append({"name": "mandatory_new", "type": "string"})
    errors = compatibility_errors(
        CompatibilityLevel.FULL_TRANSITIVE, parse_avro(json.dumps(schema)), _released(name)
    )
    assert errors


def _roundtrip(record: dict[str, Any], writer: str, reader: str) -> Any:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(json.loads(writer)), record)
    buffer.seek(0)
    return fastavro.schemaless_reader(
        buffer, fastavro.parse_schema(json.loads(writer)), fastavro.parse_schema(json.loads(reader))
    )


def test_an_area_written_now_is_read_by_a_version_1_partner_as_its_point_and_place(
    example: Callable[[str], dict[str, Any]],
) -> None:
    """A v1 reader of an incident with polygons sees place and point; the area is dropped."""
    document = example("nl.kcr.incident.reported")
    location = {
        "place": "Kruiningen",
        "point": {"lat": 51.45, "lon": 4.03},
        "polygons": [{"outer": [{"lat": 51.4, "lon": 4.0}, {"lat": 51.5, "lon": 4.0},
                                {"lat": 51.5, "lon": 4.1}]}],
    }  # fmt: skip
    document["data"]["location"] = location
    event = parse_event(document)
    v1 = (RELEASED / "1" / "incident.reported.avsc").read_text(encoding="utf-8")
    now = render_schemas()["incident.reported.avsc"]
    seen = _roundtrip(to_avro_record(event), now, v1)
    assert seen["data"]["location"] == {"place": "Kruiningen", "point": {"lat": 51.45, "lon": 4.03}}
    back = _roundtrip(seen, v1, now)
    assert back["data"]["location"]["polygons"] == []
    assert back["data"]["location"]["circle"] is None
