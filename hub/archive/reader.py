"""Read a log archive back: the Kafka coordinates and the event of every record, offline.

Needs neither broker nor registry: the file carries its schema, and each event is an Avro
record of the hub's current schema of its type.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import fastavro

from hub.archive.errors import ArchiveError
from hub.archive.schema import ARCHIVE_RECORD_NAME, event_models
from hub.contracts.avro_schema import from_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.replay import LogItem

__all__ = ["ArchivedRecord", "log_items", "read_archive"]


class ArchivedRecord(NamedTuple):
    """One record of an archive: where it was in Kafka, and its event."""

    topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    headers: list[tuple[str, bytes | None]]
    schema_id: int
    event: EventEnvelope


def read_archive(path: Path) -> Iterator[ArchivedRecord]:
    """Yield the records of the archive at ``path`` in file order."""
    models = event_models()
    try:
        with path.open("rb") as stream:
            reader = fastavro.reader(stream)
            _check_schema(path, reader.writer_schema)
            for raw in reader:
                yield _to_record(path, raw, models)
    except (OSError, ValueError, EOFError) as error:
        if isinstance(error, ArchiveError):
            raise
        raise ArchiveError(
            path, f"is not a readable Avro archive: {error}", fix="export it with `kcr export`."
        ) from error


def log_items(path: Path) -> Iterator[LogItem]:
    """Yield the archive's records as replay input: (topic, partition), offset, event."""
    for record in read_archive(path):
        yield (record.topic, record.partition), record.offset, record.event


def _check_schema(path: Path, schema: Any) -> None:
    name = schema.get("name") if isinstance(schema, dict) else None
    if name != ARCHIVE_RECORD_NAME:
        raise ArchiveError(
            path,
            f"holds {name!r} records, not {ARCHIVE_RECORD_NAME}",
            fix="pass a file written by `kcr export`.",
        )


def _to_record(path: Path, raw: Any, models: dict[str, Any]) -> ArchivedRecord:
    model = models.get(raw["event_type"])
    if model is None:
        raise ArchiveError(
            path,
            f"record {raw['topic']}/{raw['partition']}@{raw['offset']} has event type "
            f"{raw['event_type']!r}, unknown to this version of the hub",
            fix="read it with the hub version that wrote it, or a newer one.",
        )
    headers = [(item["key"], item["value"]) for item in raw["headers"]]
    return ArchivedRecord(
        raw["topic"], raw["partition"], raw["offset"], raw["timestamp"], raw["key"],
        headers, raw["schema_id"], from_avro_record(model, raw["event"]),
    )  # fmt: skip
