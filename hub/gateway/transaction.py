"""One transaction of the gateway: records (and the consumed offsets) written all or nothing.

librdkafka's rules for its transactional API, applied in one place: a *retriable* failure of
``send_offsets`` or ``commit`` repeats that call (a few times, then the outcome counts as
unknown); an *abortable* one aborts the transaction, so nothing of it counts and the batch
may be run again; a *fatal* one leaves the producer unusable and the outcome unknown (the
caller replaces the producer and asks the group's committed offsets what landed). A producer
*fenced* by a newer one with its transactional id must stop: the caller stops the instance.
One exception: a transaction open for longer than the transaction timeout may have been
aborted by the coordinator itself, which fences its producer too; that is an unknown outcome
(a new producer goes on), not another instance.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from hub.gateway.clients import TransactionalWriter
from hub.kafka.errors import (
    ProducerFenced,
    TransactionAbortable,
    TransactionFatal,
    TransactionRetriable,
)
from hub.kafka.records import OutRecord, Position
from hub.kafka.transactional import TRANSACTION_TIMEOUT_S
from hub.logs import get_logger

__all__ = ["RETRIABLE_TRIES", "write_transaction"]

RETRIABLE_TRIES = 5
"""How often a retriable ``send_offsets`` or ``commit`` is tried before its outcome is unknown."""

_log = get_logger("hub.gateway.transaction")
T = TypeVar("T")


async def write_transaction(
    producer: TransactionalWriter,
    records: Sequence[OutRecord],
    offsets: Mapping[Position, int] | None = None,
    group_metadata: object = None,
    pause: float = 0.1,
) -> None:
    """Write ``records`` and the group's next ``offsets`` in one transaction; return once landed.

    ``pause``: seconds before the first repeat of a retriable call (longer for later ones).

    Raises :class:`TransactionAbortable` once the transaction is aborted (none of it counts),
    :class:`TransactionFatal` when the outcome is unknown and the producer unusable, and
    :class:`ProducerFenced` when a newer producer holds the transactional id.
    """
    began = time.monotonic()
    try:
        await _write(producer, records, offsets, group_metadata, pause)
    except ProducerFenced as error:
        if time.monotonic() - began < TRANSACTION_TIMEOUT_S:
            raise
        raise TransactionFatal(
            error.operation, error.code, f"{error.detail} (the transaction outlived its timeout)"
        ) from error


async def _write(
    producer: TransactionalWriter,
    records: Sequence[OutRecord],
    offsets: Mapping[Position, int] | None,
    group_metadata: object,
    pause: float,
) -> None:
    try:
        await producer.begin()
        await producer.produce(records)
        if offsets:
            await _retried(lambda: producer.send_offsets(offsets, group_metadata), pause)
        await _retried(producer.commit, pause)
    except (TransactionAbortable, TransactionRetriable) as error:  # (begin, produce: no repeat)
        await _retried(producer.abort, pause)
        if isinstance(error, TransactionAbortable):
            raise
        raise TransactionAbortable(error.operation, error.code, error.detail) from error


async def _retried(call: Callable[[], Awaitable[T]], pause: float) -> T:
    """``call()``, repeated while it fails retriably; unknown outcome after the last try."""
    attempt = 1
    while True:
        try:
            return await call()
        except TransactionRetriable as error:
            if attempt >= RETRIABLE_TRIES:
                raise TransactionFatal(
                    error.operation, error.code, f"{error.detail} ({attempt} tries)"
                ) from error
            _log.warning("gateway.transaction_retry", operation=error.operation,
                         error=error.detail, attempt=attempt)  # fmt: skip
            await asyncio.sleep(pause * attempt)
            attempt += 1
