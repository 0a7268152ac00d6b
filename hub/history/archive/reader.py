"""Read a log archive back: the Kafka coordinates and the event of every record, offline.

Needs neither broker nor registry: the file carries its schema, and each event is an Avro
record of the hub's current schema of its type. An archive whose schema is this version's own
(a ``kcr export`` of this hub's log, whose gateway validated every event) has its events built
without validating them again (:func:`hub.contracts.avro_build.trusted_builder`), as a replay
of the log builds them; an archive of another version is validated event by event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, cast

import fastavro

from hub.contracts.avro_build import trusted_builder
from hub.contracts.avro_schema import from_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.history.archive.errors import ArchiveError
from hub.history.archive.schema import ARCHIVE_RECORD_NAME, archive_schema, event_models
from hub.history.replay import LogItem

__all__ = ["ArchivedRecord", "log_items", "read_archive"]

_Build = Callable[[dict[str, Any]], EventEnvelope]


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
    for raw, event in _records(path):
        headers = [(item["key"], item["value"]) for item in raw["headers"]]
        yield ArchivedRecord(
            raw["topic"], raw["partition"], raw["offset"], raw["timestamp"], raw["key"],
            headers, raw["schema_id"], event,
        )  # fmt: skip


def log_items(path: Path) -> Iterator[LogItem]:
    """Yield the archive's records as replay input: (topic, partition), offset, event."""
    for raw, event in _records(path):
        yield (raw["topic"], raw["partition"]), raw["offset"], event


def _records(path: Path) -> Iterator[tuple[dict[str, Any], EventEnvelope]]:
    """The file's records as read, each with its event."""
    try:
        with path.open("rb") as stream:
            reader = fastavro.reader(stream)
            _check_schema(path, reader.writer_schema)
            builders = _builders(json.loads(reader.metadata["avro.schema"]) == archive_schema())
            for raw in cast("Iterator[dict[str, Any]]", reader):  # the archive's records
                yield raw, _event(path, raw, builders)
    except (OSError, ValueError, EOFError) as error:
        if isinstance(error, ArchiveError):
            raise
        raise ArchiveError(
            path, f"is not a readable Avro archive: {error}", fix="export it with `kcr export`."
        ) from error


def _builders(trusted: bool) -> dict[str, _Build]:
    """Per event record full name: build it as trusted, or validate it."""
    models = {name: cast("type[EventEnvelope]", m) for name, m in event_models().items()}
    if trusted:
        return {name: trusted_builder(model) for name, model in models.items()}
    return {name: partial(from_avro_record, model) for name, model in models.items()}


def _check_schema(path: Path, schema: Any) -> None:
    name = schema.get("name") if isinstance(schema, dict) else None
    if name != ARCHIVE_RECORD_NAME:
        raise ArchiveError(
            path,
            f"holds {name!r} records, not {ARCHIVE_RECORD_NAME}",
            fix="pass a file written by `kcr export`.",
        )


def _event(path: Path, raw: dict[str, Any], builders: dict[str, _Build]) -> EventEnvelope:
    build = builders.get(raw["event_type"])
    if build is None:
        raise ArchiveError(
            path,
            f"record {raw['topic']}/{raw['partition']}@{raw['offset']} has event type "
            f"{raw['event_type']!r}, unknown to this version of the hub",
            fix="read it with the hub version that wrote it, or a newer one.",
        )
    return build(raw["event"])
