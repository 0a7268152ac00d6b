"""A transactional librdkafka producer whose blocking calls run in a thread of its own.

One instance per gateway instance: its ``transactional.id`` is fixed by the caller, so a
restarted instance fences its predecessor (``init_transactions`` aborts what it left open).
Every failure is raised as a :class:`~hub.kafka.errors.TransactionError` subclass saying what
the caller may do next (retry the call, abort and redo the batch, replace the producer, or stop
when fenced); deciding that is the caller's job. No delivery callbacks are set: librdkafka fails
``commit_transaction`` with an abortable error if any record of the transaction was refused, so
the commit stands for every record in it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaException, Producer, TopicPartition

from hub.kafka.client_thread import ClientThread
from hub.kafka.errors import (
    TransactionAbortable,
    TransactionError,
    TransactionFatal,
    TransactionRetriable,
    transaction_error,
)
from hub.kafka.librdkafka_config import producer_config
from hub.kafka.records import OutRecord, Position

__all__ = ["CALL_BOUND_S", "TRANSACTION_TIMEOUT_S", "TransactionalProducer"]

TRANSACTION_TIMEOUT_S = 60.0
"""How long a transaction may stay open before its coordinator aborts it (and fences its
producer): ``transaction.timeout.ms``. Also how long a killed producer's open transaction holds
up read-committed consumers when no successor starts."""

CALL_BOUND_S = 30.0
"""Longest wait for one transactional call before the producer is given up (see ``_call``)."""

_QUEUE_FULL_WAIT_S = 0.05


class TransactionalProducer:
    """An idempotent, transactional producer (acks=all) for one ``transactional_id``."""

    def __init__(
        self,
        bootstrap: str,
        transactional_id: str,
        options: Mapping[str, str] | None = None,
        linger_ms: int = 5,
    ) -> None:
        """Create the client (it connects lazily); call :meth:`init` before the first batch."""
        self.transactional_id = transactional_id
        extra = {
            "transactional.id": transactional_id,
            "linger.ms": linger_ms,
            "transaction.timeout.ms": int(TRANSACTION_TIMEOUT_S * 1000),
        }
        self._producer = Producer(producer_config(bootstrap, options, extra))
        self._thread = ClientThread(f"txn-{transactional_id}")

    async def init(self, timeout: float = 30.0) -> None:
        """Register the transactional id: fences and settles any predecessor's transaction."""
        await self._call("init_transactions", self._producer.init_transactions, timeout,
                         bound=timeout + CALL_BOUND_S)  # fmt: skip

    async def begin(self) -> None:
        """Start a transaction."""
        await self._call("begin_transaction", self._producer.begin_transaction)

    async def produce(self, records: Sequence[OutRecord]) -> None:
        """Queue ``records`` in the open transaction (waits only while librdkafka's queue is full).

        A record the client refuses to queue raises :class:`TransactionAbortable` (or what the
        producer's fatal state says): the transaction then holds only part of the batch.
        """
        await self._call("produce", self._produce_all, records)

    async def send_offsets(self, offsets: Mapping[Position, int], group_metadata: object) -> None:
        """Add the consumer group's next offsets (``offsets``) to the open transaction."""
        positions = [TopicPartition(t, p, offset) for (t, p), offset in offsets.items()]
        await self._call("send_offsets_to_transaction", self._producer.send_offsets_to_transaction,
                         positions, group_metadata)  # fmt: skip

    async def commit(self) -> None:
        """Deliver what is queued and commit the transaction."""
        await self._call("commit_transaction", self._producer.commit_transaction)

    async def abort(self) -> None:
        """Abort the open transaction: none of its records or offsets count."""
        await self._call("abort_transaction", self._producer.abort_transaction)

    async def close(self, timeout: float = 5.0) -> None:
        """Close the client, aborting an open transaction; gives up waiting after ``timeout``.

        A producer in a fatal state, cut off from the broker or given up in a call may not
        finish closing; its successor's :meth:`init` (same transactional id) settles what it
        left open.
        """
        with contextlib.suppress(TimeoutError, KafkaException, RuntimeError):
            await asyncio.wait_for(self._thread.call(self._producer.close), timeout)
        self._thread.shutdown()

    async def _call(
        self, operation: str, function: Callable[..., None], *args: Any, bound: float = CALL_BOUND_S
    ) -> None:
        """Run ``function(*args)`` in the client's thread; give the producer up after ``bound``.

        librdkafka caps its transactional calls at the transaction's remaining time, but a call
        can still wait without end (``send_offsets_to_transaction`` did, for minutes, after the
        broker came back from a restart that outlasted the transaction timeout). A call that
        does not return within ``bound`` seconds raises :class:`TransactionFatal`: the caller
        replaces the producer (a new epoch settles the transaction either way).
        """
        try:
            await asyncio.wait_for(self._thread.call(self._run, operation, function, *args), bound)
        except TimeoutError as error:
            raise TransactionFatal(
                operation, "_TIMED_OUT", f"no answer within {bound:.0f} s; producer given up"
            ) from error

    def _run(self, operation: str, function: Callable[..., None], *args: Any) -> None:
        try:
            function(*args)
        except KafkaException as error:
            raise transaction_error(operation, error) from error

    def _produce_all(self, records: Sequence[OutRecord]) -> None:
        produce: Callable[..., None] = self._producer.produce  # (headers: a list is fine)
        for topic, key, value, headers in records:
            while True:
                try:
                    produce(topic, value, key, headers=headers)
                    break
                except BufferError:  # librdkafka's queue is full: let it drain a little
                    self._producer.poll(_QUEUE_FULL_WAIT_S)
                except KafkaException as error:
                    raise _refused(error) from error


def _refused(error: KafkaException) -> TransactionError:
    """A record librdkafka would not queue: fatal when the producer is, else abortable.

    Never retriable: queueing the batch again would put its first records in twice.
    """
    translated = transaction_error("produce", error, unflagged=TransactionAbortable)
    if isinstance(translated, TransactionRetriable):
        return TransactionAbortable("produce", translated.code, translated.detail)
    return translated
