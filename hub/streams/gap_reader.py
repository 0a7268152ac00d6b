"""Read one range of a log partition again, straight from Kafka, for the tick barrier.

The live worker's readers (the batch reader of the events, Faust for the ticks) could miss
records: Faust drops records fetched for a partition it does not count as active at that
moment (during table recovery or a rebalance), and a partition can stall. The clock's ticks
count the records of every range they cover, so the barrier notices; this reader fetches the
range with a plain read-committed consumer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import HubError
from hub.kafka.reading import bounded_consumer
from hub.processing.barrier import Gap, Position

__all__ = ["GapReader", "GapUnreadable", "StallWatch"]


class GapUnreadable(HubError, TimeoutError):
    """A log range could not be read back within the time allowed."""

    def __init__(self, gap: Gap, timeout: float) -> None:
        topic, partition = gap.position
        super().__init__(
            f"offsets {gap.after + 1}..{gap.upto} of {topic}[{partition}] could not be read "
            f"within {timeout:.0f} s",
            fix="check that the broker is reachable; the worker retries with its next batch.",
        )
        self.gap = gap


class GapReader:
    """Reads ``(after, upto]`` of a log partition (committed records only), decoded."""

    def __init__(
        self,
        bootstrap: str,
        codec: EventCodec,
        client_config: Mapping[str, Any] | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Prepare the reader; its consumer starts on first use."""
        self.bootstrap = bootstrap
        self.codec = codec
        self.client_config = client_config
        self.timeout = timeout
        self._consumer: AIOKafkaConsumer | None = None

    async def read(self, gap: Gap) -> list[tuple[int, EventEnvelope | None]]:
        """Return the records of ``gap`` as ``(offset, event)`` pairs, in offset order.

        An undecodable record is ``(offset, None)``: it counts, as it does for the clock.
        """
        try:
            return await asyncio.wait_for(self._read(gap), self.timeout)
        except TimeoutError as error:
            raise GapUnreadable(gap, self.timeout) from error

    async def _read(self, gap: Gap) -> list[tuple[int, EventEnvelope | None]]:
        consumer = await self._started()
        tp = TopicPartition(*gap.position)
        consumer.assign([tp])
        consumer.seek(tp, gap.after + 1)
        found: list[tuple[int, EventEnvelope | None]] = []
        while await consumer.position(tp) <= gap.upto:
            batch = await consumer.getmany(tp, timeout_ms=500)
            for record in batch.get(tp, []):
                if record.offset <= gap.upto:
                    event = await self.codec.decode_log_record(
                        record.value, record.topic, record.partition, record.offset
                    )
                    found.append((record.offset, event))
        return found

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            self._consumer = bounded_consumer(self.bootstrap, self.client_config)
            await self._consumer.start()
        return self._consumer

    async def close(self) -> None:
        """Stop the consumer, if it was started."""
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None


class StallWatch:
    """Tells a consumer that is merely behind from one that stopped delivering a partition.

    A partition stalls when nothing came from it for ``seconds`` while the same tick has been
    waiting for that long too; only then is a range not yet seen worth reading back.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Watch with a limit of ``seconds`` (``clock`` for tests)."""
        self.seconds, self.clock = seconds, clock
        self._last: dict[Position, float] = {}
        self._head: tuple[int | None, float] = (None, clock())

    def delivered(self, position: Position) -> None:
        """Note that a record of ``position`` arrived now."""
        self._last[position] = self.clock()

    def stalled_for(self, head: int | None) -> Callable[[Position], bool]:
        """Return the test for the partitions of tick ``head`` (the first one waiting)."""
        now = self.clock()
        if self._head[0] != head:
            self._head = (head, now)
        waited = now - self._head[1] >= self.seconds
        started = self._head[1]

        def stalled(position: Position) -> bool:
            return waited and now - self._last.get(position, started) >= self.seconds

        return stalled
