"""Publish the processors' outputs with librdkafka: views, signals, workflow events, outboxes.

One tick can fan out to hundreds of records (a view to its topic and to many outboxes). Sent
through Faust's producer buffer, one awaited send per record, they queued behind each other
and behind the table's changelog writes: seconds between a tick and its view at 50 events/s.
librdkafka takes a record into its own queue without a round trip through the event loop and
batches in its own threads. :meth:`OutputProducer.flush` waits (in a worker thread) until the
broker acknowledged everything sent so far, and raises if any record was refused: the worker
calls it before a save, so a saved state never claims a tick whose outputs could be lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from hub.errors import HubError
from hub.kafka.librdkafka_config import producer_config

__all__ = ["OutputProducer", "OutputsUndelivered"]


class OutputsUndelivered(HubError, RuntimeError):
    """Outputs the broker did not acknowledge: the state that produced them is not saved."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"outputs were not delivered: {detail}",
            fix="check the broker; the processors restart from their last save and publish "
            "the outputs of the ticks after it again.",
        )


class OutputProducer:
    """An idempotent librdkafka producer for the outputs of ticks."""

    def __init__(self, bootstrap: str, options: Mapping[str, str] | None = None) -> None:
        """Connect lazily to ``bootstrap`` with the login in ``options`` (librdkafka keys)."""
        self._producer = Producer(producer_config(bootstrap, options, {"linger.ms": 5}))
        self._failures: list[str] = []

    def send(
        self,
        topic: str,
        key: bytes,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int = -1,
    ) -> None:
        """Queue one record (a ``None`` value is a tombstone); never waits for the broker.

        ``partition``: -1 lets the key choose (librdkafka's partitioner).
        """
        while True:
            try:
                self._producer.produce(
                    topic, value, key, partition, headers=list(headers),
                    on_delivery=self._delivered,
                )  # fmt: skip
                return
            except BufferError:  # librdkafka's queue is full: let it drain a little
                self._producer.poll(0.05)

    def _delivered(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self._failures.append(f"{message.topic()}: {error.str()}")

    def serve(self) -> None:
        """Run the delivery callbacks that are due (cheap; call after each tick's sends)."""
        self._producer.poll(0)

    async def flush(self, timeout: float = 60.0) -> None:
        """Wait until every record sent so far is acknowledged; raise if any was refused."""
        left = await asyncio.to_thread(self._producer.flush, timeout)
        if self._failures:
            failures, self._failures = self._failures, []
            raise OutputsUndelivered(f"{len(failures)} refused, first: {failures[0]}")
        if left:
            raise OutputsUndelivered(f"{left} not acknowledged within {timeout:.0f} s")

    async def close(self) -> None:
        """Deliver what is queued (best effort) and let go."""
        with contextlib.suppress(KafkaException):
            await asyncio.to_thread(self._producer.flush, 10.0)
