"""Read one range of a log partition again, straight from Kafka, for the tick barrier.

The live worker's readers (the batch reader of the events, Faust for the ticks) could miss
records: Faust drops records fetched for a partition it does not count as active at that
moment (during table recovery or a rebalance), and a partition can stall. The clock's ticks
count the records of every range they cover, so the barrier notices; this reader fetches the
range with the history reader (:class:`hub.kafka.history_reader.HistoryReader`, librdkafka,
read-committed) and decodes it as every replay does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from contextlib import aclosing

from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import HubError
from hub.history.replay import decoded_items
from hub.kafka.history_reader import HistoryReader
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
        client_config: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        group: str = "kcr-history",
    ) -> None:
        """Prepare the reader; its consumer starts on first use.

        ``client_config``: librdkafka options (the login, as the worker's other clients').
        ``group``: the consumer's group id, one the login may use (it joins no group).
        """
        self.bootstrap = bootstrap
        self.codec = codec
        self.client_config = client_config
        self.timeout = timeout
        self.group = group
        self._reader: HistoryReader | None = None

    async def read(self, gap: Gap) -> list[tuple[int, EventEnvelope | None]]:
        """Return the records of ``gap`` as ``(offset, event)`` pairs, in offset order.

        An undecodable record is ``(offset, None)``: it counts, as it does for the clock.
        """
        try:
            return await asyncio.wait_for(self._read(gap), self.timeout)
        except TimeoutError as error:
            raise GapUnreadable(gap, self.timeout) from error

    async def _read(self, gap: Gap) -> list[tuple[int, EventEnvelope | None]]:
        if self._reader is None:
            self._reader = HistoryReader(
                self.bootstrap, self.client_config, self.group, batch_size=2000
            )
        found: list[tuple[int, EventEnvelope | None]] = []
        span = {gap.position: (gap.after + 1, gap.upto + 1)}
        async with aclosing(self._reader.read(span)) as batches:
            async for batch in batches:
                found += [
                    (offset, event) for _, offset, event in await decoded_items(self.codec, batch)
                ]
        return found

    async def close(self) -> None:
        """Close the consumer, if it was started."""
        if self._reader is not None:
            await self._reader.close()
            self._reader = None


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
