"""The Kafka side of the ownership book: read its compacted topic back fully on start.

The topic holds one record per live aggregate (key ``<kind> <id>...``, a JSON value, or a tombstone
once the owner of an ended aggregate is forgotten), so a start reads what is live, not the event
log. Claims are written in the gateway's batch transaction (:mod:`hub.gateway.service`); reading
back and forgetting ended aggregates live here, through the gateway's client protocols
(:mod:`hub.gateway.clients`), so the book's logic stays independent of the Kafka client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta

from hub.contracts.events.envelope import EventEnvelope
from hub.gateway.clients import TransactionalWriter
from hub.gateway.ownership import (
    BatchOwners,
    Ownership,
    OwnershipBook,
    claim,
    from_record,
    to_record,
)
from hub.gateway.transaction import write_transaction
from hub.kafka.errors import ProducerFenced, TransactionError
from hub.kafka.records import ConsumedRecord, OutRecord
from hub.logs import get_logger

__all__ = ["BACKFILL_MARKER", "backfill_from_log", "forget_expired", "read_ownership"]

BACKFILL_MARKER = "~backfilled"
"""Key of the record saying the owners of the log's aggregates were claimed once (no aggregate
key starts with ``~``: keys are ``<kind> <ids>``)."""

_log = get_logger("hub.gateway.ownership")

LogSource = Callable[[], AsyncIterator[tuple[EventEnvelope, datetime]]]
"""Yields the log's events that create or end an aggregate, in log order, with their time."""


async def read_ownership(history: AsyncIterator[Sequence[ConsumedRecord]]) -> OwnershipBook:
    """Return the book rebuilt from the ownership topic's records in ``history`` (to its end).

    A malformed record is logged and skipped: its aggregate is then unknown, so only its
    namespace (if any) protects it until its owner's next event about it.
    """
    book = OwnershipBook()
    async for records in history:
        for record in records:
            key = record.key()
            if key is None:
                continue
            try:
                book.restore(*from_record(key, record.value()))
            except ValueError as error:
                _log.warning("gateway.ownership_skipped", error=str(error))
    return book


async def _written(producer: TransactionalWriter, records: Sequence[OutRecord], what: str) -> bool:
    """Write ``records`` in one transaction; False (logged) when it did not land.

    A fenced producer is not logged away: the caller must stop. After a fatal error the
    producer is unusable; the gateway's first batch then finds that out and replaces it.
    """
    try:
        await write_transaction(producer, records)
    except ProducerFenced:
        raise
    except TransactionError as error:
        _log.warning(f"gateway.ownership_{what}_failed", error=str(error), records=len(records))
        return False
    return True


async def forget_expired(
    producer: TransactionalWriter, topic: str, book: OwnershipBook, ended_before: datetime
) -> int:
    """Tombstone the aggregates that ended before ``ended_before``, in one transaction.

    They leave the book only once the transaction commits; a failure is logged and leaves them
    for the next start (a kept owner refuses nothing its owner would send). Returns the count.
    """
    keys = book.expired(ended_before, timedelta(0))
    if not keys:
        return 0
    if not await _written(producer, [(topic, key.encode(), None, []) for key in keys], "forget"):
        return 0
    for key in keys:
        book.restore(key, None)
    _log.info("gateway.ownership_forgotten", keys=len(keys))
    return len(keys)


async def backfill_from_log(
    producer: TransactionalWriter,
    topic: str,
    book: OwnershipBook,
    log: LogSource,
    now: datetime,
) -> int:
    """Claim the owners of the aggregates the log created before the book existed; once.

    A hub whose log predates the ownership store knows no owner of its older aggregates, so
    anyone could change them. On the first start that finds no :data:`BACKFILL_MARKER` in the
    book, the log is read once from its beginning; only the events that create or end an
    aggregate (by their ``ce_type`` header) are decoded, and claimed in log order as the
    gateway would have claimed them. The claims not already in the book and the marker are
    written in one transaction; a failure is logged and the next start tries again. Returns
    the number of owners claimed.
    """
    if book.get(BACKFILL_MARKER) is not None:
        return 0
    owners = BatchOwners(book)
    seen = 0
    async for event, at in log():
        seen += 1
        claimed = claim(event, owners, at)
        if claimed is not None:
            owners.pending[claimed[0]] = claimed[1]
    owners.pending[BACKFILL_MARKER] = Ownership("hub", now)
    records: list[OutRecord] = [(topic, *to_record(k, o), []) for k, o in owners.pending.items()]
    if not await _written(producer, records, "backfill"):
        return 0
    claimed_count = len(owners.pending) - 1
    owners.settle()
    _log.info("gateway.ownership_backfilled", events=seen, owners=claimed_count)
    return claimed_count
