"""``kcr export``: write log records to an Avro Object Container File (deflate), self-describing.

The file's schema is :func:`hub.history.archive.schema.archive_schema`; see that module for why each
event is stored as a typed Avro record. The file is written beside its destination and moved
into place when complete, so a failed export never leaves a truncated archive. The log is read
with the history reader (:mod:`hub.kafka.history_reader`) and decoded a batch at a time
(:meth:`hub.codec.serde.EventCodec.decode_log_records`): an event of the current schema of its
type is written as it was read, no model built in between; others are validated first.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import aclosing
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import fastavro

from hub.codec.serde import EventCodec, LogRecord, schema_fullname
from hub.codec.wire import unpack
from hub.contracts.avro_schema import to_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import schema_for
from hub.errors import CodecError
from hub.history.archive.errors import ArchiveError
from hub.history.archive.schema import archive_schema
from hub.history.replay import Progress
from hub.kafka.history_reader import HistoryReader, read_topics
from hub.kafka.records import ConsumedRecord

__all__ = [
    "ArchiveWriter",
    "event_record",
    "export_log",
    "list_topics",
    "select_topics",
    "to_archive_dict",
]


def select_topics(topics: Iterable[str], patterns: Sequence[str]) -> list[str]:
    """Return the ``topics`` matching any of the glob ``patterns`` (``kcr.log.*``), sorted."""
    return sorted(t for t in topics if any(fnmatch.fnmatchcase(t, p) for p in patterns))


def to_archive_dict(record: ConsumedRecord, event: EventEnvelope) -> dict[str, Any]:
    """Return the archive record of a Kafka ``record`` whose value decoded to ``event``."""
    return _archive_dict(record, (type(event), event_record(event)))


@cache
def _fullname(model: type[EventEnvelope]) -> str:
    return schema_fullname(schema_for(model))


def _archive_dict(record: ConsumedRecord, event: LogRecord) -> dict[str, Any]:
    """The archive record of a Kafka ``record`` whose event has that type and Avro record."""
    schema_id, _ = unpack(record.value())
    model, avro_record = event
    fullname = _fullname(model)
    return {
        "topic": record.topic(),
        "partition": record.partition(),
        "offset": record.offset(),
        "timestamp": record.timestamp()[1],
        "key": record.key(),
        "headers": [{"key": k, "value": v} for k, v in record.headers() or []],
        "schema_id": schema_id,
        "event_type": fullname,
        "event": (fullname, avro_record),  # fastavro's tuple notation: this branch
    }


def event_record(event: EventEnvelope) -> dict[str, Any]:
    """Return ``event`` as the plain dict its Avro schema describes."""
    return to_avro_record(event)


class ArchiveWriter:
    """Writes archive records to ``path`` (via a temporary file moved into place on close)."""

    def __init__(self, path: Path, metadata: Mapping[str, str] | None = None) -> None:
        """Open the temporary file; use as a context manager."""
        self.path = path
        self.count = 0
        self._partial = path.with_name(f".{path.name}.partial")
        self._stream: BinaryIO = self._partial.open("wb")
        self._writer = fastavro.write.Writer(
            self._stream, fastavro.parse_schema(archive_schema()), codec="deflate",
            metadata=dict(metadata or {}),
        )  # fmt: skip

    def write(self, item: dict[str, Any]) -> None:
        """Append one archive record."""
        self._writer.write(item)
        self.count += 1

    def __enter__(self) -> ArchiveWriter:
        """Return the writer."""
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        """Complete the file and move it into place; on an error, remove the partial file."""
        try:
            if error is None:
                self._writer.flush()
        finally:
            self._stream.close()
        if error is None:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)


async def export_log(
    bootstrap: str,
    codec: EventCodec,
    topics: Sequence[str],
    out: Path,
    window: tuple[datetime | None, datetime | None] = (None, None),
    client_config: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write every record of ``topics`` with a timestamp in ``window`` (since, until) to ``out``.

    ``client_config``: librdkafka options (the login). Returns the number of records written.
    Raises :class:`ArchiveError` for a record that is no log event (nothing is left at ``out``).
    """
    since, until = window
    since_ms = int(since.timestamp() * 1000) if since else None
    until_ms = int(until.timestamp() * 1000) if until else None
    metadata = {"kcr.topics": ",".join(topics)}
    batches = read_topics(bootstrap, topics, client_config, since_ms)
    async with aclosing(batches):
        with ArchiveWriter(out, metadata) as writer:
            async for batch in batches:
                kept = [r for r in batch if until_ms is None or r.timestamp()[1] <= until_ms]
                events = await codec.decode_log_records([record.value() for record in kept])
                for record, event in zip(kept, events, strict=True):
                    writer.write(_archive_dict(record, _event(out, record, event)))
                if progress is not None:
                    progress(writer.count)
    return writer.count


def _event(out: Path, record: ConsumedRecord, event: LogRecord | CodecError) -> LogRecord:
    if isinstance(event, CodecError):
        where = f"{record.topic()}/{record.partition()}@{record.offset()}"
        fix = "export only kcr.log.* topics (the default): their records are all log events."
        raise ArchiveError(out, f"{where}: {event}", fix=fix) from event
    return event


async def list_topics(bootstrap: str, client_config: Mapping[str, str] | None = None) -> list[str]:
    """Return the names of every topic of the cluster (``client_config``: librdkafka options)."""
    reader = HistoryReader(bootstrap, client_config)
    try:
        return await reader.topic_names()
    finally:
        await reader.close()
