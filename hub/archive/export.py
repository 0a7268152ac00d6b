"""``kcr export``: write log records to an Avro Object Container File (deflate), self-describing.

The file's schema is :func:`hub.archive.schema.archive_schema`; see that module for why each
event is stored as a typed Avro record. The file is written beside its destination and moved
into place when complete, so a failed export never leaves a truncated archive.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import fastavro
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient

from hub.archive.errors import ArchiveError
from hub.archive.schema import archive_schema
from hub.codec.serde import EventCodec, schema_fullname
from hub.codec.wire import unpack
from hub.contracts.avro_schema import to_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import is_log_event, schema_for
from hub.errors import CodecError
from hub.kafka.reading import bounded_consumer, partitions_of, read_until_end
from hub.replay import Progress

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


def to_archive_dict(record: ConsumerRecord[bytes, bytes], event: EventEnvelope) -> dict[str, Any]:
    """Return the archive record of a Kafka ``record`` whose value decoded to ``event``."""
    schema_id, _ = unpack(record.value)
    fullname = schema_fullname(schema_for(type(event)))
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
        "key": record.key,
        "headers": [{"key": k, "value": v} for k, v in record.headers],
        "schema_id": schema_id,
        "event_type": fullname,
        "event": (fullname, event_record(event)),  # fastavro's tuple notation: this branch
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
    client_config: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write every record of ``topics`` with a timestamp in ``window`` (since, until) to ``out``.

    Returns the number of records written.
    """
    since, until = window
    since_ms = int(since.timestamp() * 1000) if since else None
    until_ms = int(until.timestamp() * 1000) if until else None
    metadata = {"kcr.topics": ",".join(topics)}
    consumer = bounded_consumer(bootstrap, client_config)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topics, client_config)
        with ArchiveWriter(out, metadata) as writer:
            async for batch in read_until_end(consumer, partitions, since_ms):
                for record in batch:
                    if until_ms is None or record.timestamp <= until_ms:
                        writer.write(to_archive_dict(record, await _event(codec, out, record)))
                if progress is not None:
                    progress(writer.count)
    finally:
        await consumer.stop()
    return writer.count


async def _event(codec: EventCodec, out: Path, record: ConsumerRecord[bytes, bytes]) -> Any:
    try:
        item = codec.decode_cached(record.value) or await codec.decode(record.value)
    except CodecError as error:
        raise ArchiveError(
            out, f"{record.topic}/{record.partition}@{record.offset}: {error}",
            fix="export only the log topics (the default); their records are all valid events.",
        ) from error  # fmt: skip
    if not isinstance(item, EventEnvelope) or not is_log_event(type(item)):
        raise ArchiveError(
            out,
            f"{record.topic} holds {type(item).__name__} records, not log events",
            fix="export only kcr.log.* topics (the default).",
        )
    return item


async def list_topics(bootstrap: str, client_config: Mapping[str, Any] | None = None) -> list[str]:
    """Return the names of every topic of the cluster."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(client_config or {}))
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()
