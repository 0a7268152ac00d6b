"""Log archives: written with fastavro, read back by fastavro, by the ``avro`` package, replayed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import avro.datafile
import avro.io
import fastavro
import pytest

from hub.contracts.avro_schema import to_avro_record
from hub.history.archive.errors import ArchiveError
from hub.history.archive.export import ArchiveWriter, select_topics, to_archive_dict
from hub.history.archive.reader import log_items, read_archive
from hub.history.archive.schema import ARCHIVE_RECORD_NAME, archive_schema, merge_named_types
from hub.history.replay import replay_items
from tests.unit.crisis_log import crisis_log


def _write(path: Path) -> None:
    log = crisis_log()
    with ArchiveWriter(path, {"kcr.topics": "test"}) as writer:
        for record, (_, _, event) in zip(log.records(), log.items, strict=True):
            writer.write(to_archive_dict(record, event))


def test_fastavro_reads_every_record_with_its_coordinates_and_event(tmp_path: Path) -> None:
    """A plain fastavro reader sees topic, offset, key, headers, schema id and the event fields."""
    path = tmp_path / "log.avro"
    _write(path)
    with path.open("rb") as stream:
        reader = fastavro.reader(stream)
        assert reader.codec == "deflate"
        assert isinstance(reader.writer_schema, dict)
        assert reader.writer_schema["name"] == ARCHIVE_RECORD_NAME
        rows: list[dict[str, Any]] = list(reader)  # type: ignore[arg-type]
    log = crisis_log()
    assert len(rows) == len(log.items)
    for row, ((topic, partition), offset, event) in zip(rows, log.items, strict=True):
        assert (row["topic"], row["partition"], row["offset"]) == (topic, partition, offset)
        assert row["key"] == event.subject.encode()
        assert row["schema_id"] == 100 + len(event.type)
        assert {"key": "ce_id", "value": event.id.encode()} in row["headers"]
        assert row["event"] == to_avro_record(event)


def test_the_avro_package_reads_the_file_independently(tmp_path: Path) -> None:
    """The reference ``avro`` implementation's DataFileReader decodes the same events."""
    path = tmp_path / "log.avro"
    _write(path)
    with path.open("rb") as stream:
        reader = avro.datafile.DataFileReader(stream, avro.io.DatumReader())
        rows: list[dict[str, Any]] = list(reader)  # type: ignore[arg-type]
        reader.close()
    log = crisis_log()
    assert [row["event"]["id"] for row in rows] == [event.id for _, _, event in log.items]
    grips = [
        row["event"]["data"].get("grip_level") for row in rows if row["key"].decode() == "inc-zl"
    ]
    assert grips == ["2", "4", None]
    assert rows[1]["event_type"] == "nl.kcr.incident.IncidentReported"


def test_reading_back_gives_the_same_events(tmp_path: Path) -> None:
    """:func:`read_archive` rebuilds the very event models that were written."""
    path = tmp_path / "log.avro"
    _write(path)
    assert list(log_items(path)) == crisis_log().items
    assert all(record.timestamp.tzinfo is not None for record in read_archive(path))


def test_archive_replay_equals_the_replay_of_the_original_records(tmp_path: Path) -> None:
    """The same projector over the archive yields the same views and signals."""
    path = tmp_path / "log.avro"
    _write(path)
    original = replay_items(crisis_log().items)
    archived = replay_items(log_items(path))
    assert archived.ticks == original.ticks == 4
    assert archived.projector.projection.published_views() == (
        original.projector.projection.published_views()
    )
    assert [o.signals for o in archived.outputs] == [o.signals for o in original.outputs]


def test_each_named_type_is_defined_once_in_the_union() -> None:
    """The union defines e.g. nl.kcr.incident.Tlp once; both parsers accept the schema."""
    schema = archive_schema()
    text = json.dumps(schema)
    assert text.count('"name": "nl.kcr.incident.Tlp"') == 1
    fastavro.parse_schema(schema)
    avro.schema.parse(text)


def test_merge_keeps_relative_names_resolvable() -> None:
    """A short reference is made absolute in its enclosing namespace."""
    enum = {"type": "enum", "name": "E", "symbols": ["A"]}
    first = {
        "type": "record",
        "name": "R1",
        "namespace": "x",
        "fields": [{"name": "e", "type": enum}],
    }
    second = {"type": "record", "name": "x.R2", "fields": [{"name": "e", "type": "E"}]}
    union = merge_named_types([first, second])
    assert union[0]["fields"][0]["type"]["name"] == "x.E"
    assert union[1]["fields"][0]["type"] == "x.E"


def test_a_file_of_other_records_is_refused(tmp_path: Path) -> None:
    """An Avro file that is not an archive is an ArchiveError with a fix."""
    path = tmp_path / "other.avro"
    schema = {"type": "record", "name": "Other", "fields": [{"name": "a", "type": "int"}]}
    with path.open("wb") as stream:
        fastavro.writer(stream, schema, [{"a": 1}])
    with pytest.raises(ArchiveError, match=r"not nl\.kcr\.archive\.LogRecord") as caught:
        list(read_archive(path))
    assert caught.value.fix


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    """An error while writing removes the partial file; nothing appears at the destination."""
    path = tmp_path / "log.avro"
    with pytest.raises(ValueError, match="partition"), ArchiveWriter(path) as writer:
        writer.write({"topic": "t"})
    assert list(tmp_path.iterdir()) == []


def test_topic_patterns_select_log_topics() -> None:
    """Glob patterns pick topics; the default pattern is the log of one prefix."""
    topics = ["kcr.log.clock", "kcr.log.incident", "kcr.view.situation", "x.log.incident"]
    assert select_topics(topics, ["kcr.log.*"]) == ["kcr.log.clock", "kcr.log.incident"]
    assert select_topics(topics, ["*.incident", "kcr.view.*"]) == [
        "kcr.log.incident", "kcr.view.situation", "x.log.incident",
    ]  # fmt: skip
