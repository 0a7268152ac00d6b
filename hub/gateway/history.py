"""What the gateway reads back from its own log on start, from record headers where it can.

The log's records carry the envelope as CloudEvents headers (``ce_id``, ``ce_source``,
``ce_type``; :func:`hub.codec.headers.to_ce_headers`), written by the gateway itself. The
de-duplication window needs only ``(ce_source, ce_id)`` and the record's log time, so it is
rebuilt without decoding a single Avro body; the one-off ownership backfill decodes only the
records whose ``ce_type`` creates or ends an aggregate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.ownership import CLAIMING_TYPES
from hub.errors import CodecError
from hub.gateway.dedupe import DedupeWindow, EventKey
from hub.gateway.judge import decoded_event
from hub.kafka.records import ConsumedRecord, Header
from hub.logs import get_logger

__all__ = ["creations", "event_key", "logged_at", "remember_logged"]

History = AsyncIterator[Sequence[ConsumedRecord]]
_log = get_logger("hub.gateway")


def event_key(headers: list[Header] | None) -> EventKey | None:
    """The ``(source, id)`` in a log record's CloudEvents headers, or None without them."""
    if not headers:
        return None
    found = dict(headers)
    source, event_id = found.get("ce_source"), found.get("ce_id")
    if not source or not event_id:
        return None
    return source.decode(errors="replace"), event_id.decode(errors="replace")


def logged_at(record: ConsumedRecord) -> datetime:
    """When the broker appended ``record`` (its timestamp), in UTC."""
    return datetime.fromtimestamp(record.timestamp()[1] / 1000, UTC)


async def remember_logged(window: DedupeWindow, history: History) -> int:
    """Remember the key of every record in ``history`` at its log time; return how many."""
    remembered = 0
    remember = window.remember
    async for records in history:
        for record in records:
            key = event_key(record.headers())
            if key is not None:
                remember(key, logged_at(record))
                remembered += 1
    return remembered


async def creations(
    codec: EventCodec, history: History
) -> AsyncIterator[tuple[EventEnvelope, datetime]]:
    """The events in ``history`` that create or end an aggregate, decoded, with their log time.

    Only records whose ``ce_type`` header names such a type are decoded. One that no longer
    decodes (accepted once; its schema gone) is skipped and logged.
    """
    async for records in history:
        for record in records:
            found = dict(record.headers() or [])
            event_type = (found.get("ce_type") or b"").decode(errors="replace")
            if event_type not in CLAIMING_TYPES:
                continue
            try:
                event = await decoded_event(codec, record.value())
            except CodecError as error:
                _log.warning("gateway.backfill_skipped", error=error.message)
                continue
            yield event, logged_at(record)
