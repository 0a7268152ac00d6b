"""A Faust app whose worker consumer reads only committed records (``read_committed``).

The gateway writes the log in Kafka transactions. Faust's worker consumer reads
``read_uncommitted`` unless the app runs exactly-once, so it would also see the records of a
transaction that is later aborted (a gateway killed mid-batch leaves one; its successor writes
the same events again, committed, with new ``ingested_at`` stamps). A worker that applied
those phantoms would disagree with the clock, which marks only committed records, and with
every replay. Faust decides the isolation level from its consumer's ``in_transaction``; this
app sets it for the creation of the worker consumer alone, so offsets are still committed the
at-least-once way (no transactional producer, none of exactly-once's open problems).
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ["ReadCommittedApp"]


class _ReadCommittedConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Creates the worker's aiokafka consumer with ``isolation_level="read_committed"``."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = self.consumer
        was = consumer.in_transaction
        consumer.in_transaction = True  # Faust's own switch for read_committed
        try:
            return super()._create_worker_consumer(transport)
        finally:
            consumer.in_transaction = was


class _ReadCommittedConsumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer with a read-committed consumer thread."""

    def _new_consumer_thread(self) -> Any:
        return _ReadCommittedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _ReadCommittedTransport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with the read-committed consumer."""

    Consumer = _ReadCommittedConsumer


class ReadCommittedApp(faust.App):
    """A :class:`faust.App` whose agents never see records of open or aborted transactions."""

    def _new_transport(self) -> Any:
        return _ReadCommittedTransport(self.conf.broker_consumer, self)
