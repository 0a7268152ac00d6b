"""Read one range of a log partition again, straight from Kafka, for the tick barrier.

The live worker consumes the log through Faust, whose consumer can skip records (it drops
records fetched for a partition it does not count as active at that moment, such as during
table recovery or a rebalance). The clock's ticks count the records of every range they cover,
so the barrier notices; this reader fetches the range with a plain read-committed consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import HubError
from hub.kafka.reading import bounded_consumer
from hub.processing.barrier import Gap

__all__ = ["GapReader", "GapUnreadable"]


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

    async def read(self, gap: Gap) -> list[tuple[int, EventEnvelope]]:
        """Return the records of ``gap`` as ``(offset, event)`` pairs, in offset order."""
        try:
            return await asyncio.wait_for(self._read(gap), self.timeout)
        except TimeoutError as error:
            raise GapUnreadable(gap, self.timeout) from error

    async def _read(self, gap: Gap) -> list[tuple[int, EventEnvelope]]:
        consumer = await self._started()
        tp = TopicPartition(*gap.position)
        consumer.assign([tp])
        consumer.seek(tp, gap.after + 1)
        found: list[tuple[int, EventEnvelope]] = []
        while await consumer.position(tp) <= gap.upto:
            batch = await consumer.getmany(tp, timeout_ms=500)
            for record in batch.get(tp, []):
                if record.offset <= gap.upto:
                    found.append((record.offset, await self.codec.decode_event(record.value)))
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
