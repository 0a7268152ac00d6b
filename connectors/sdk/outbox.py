"""The organisation's outbox (``kcr.outbox.<org>``) as an async iterator with exact progress.

Every item's offset is committed to the consumer group once the caller has finished with it,
which the reader learns when the caller asks for the next item or closes the reader. That
gives the guarantee :meth:`connectors.sdk.HubClient.outbox` documents.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from aiokafka.structs import OffsetAndMetadata
from pydantic import BaseModel

from hub.codec.serde import EventCodec
from hub.errors import CodecError
from hub.logs import get_logger

__all__ = ["OutboxReader"]

_log = get_logger(__name__)


class OutboxReader:
    """Yield the decoded items of one outbox topic in a consumer group, committing as it goes."""

    def __init__(
        self, topic: str, group_id: str, codec: EventCodec, options: dict[str, Any]
    ) -> None:
        """Read ``topic`` in ``group_id`` with ``codec``; ``options`` are aiokafka's connection."""
        self.topic = topic
        self._codec = codec
        self._consumer = AIOKafkaConsumer(
            topic,
            group_id=group_id,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            **options,
        )
        self._started = False
        self._pending: tuple[TopicPartition, int] | None = None

    async def start(self) -> None:
        """Connect and join the group (idempotent)."""
        if not self._started:
            await self._consumer.start()
            self._started = True

    def __aiter__(self) -> OutboxReader:
        """Return the reader itself."""
        return self

    async def __anext__(self) -> BaseModel:
        """Commit the item given out last, then wait for and return the next one."""
        await self.start()
        await self.commit()
        while True:
            record = await self._consumer.getone()
            item = await self._decode(record)
            self._pending = (TopicPartition(record.topic, record.partition), record.offset + 1)
            if item is not None:
                return item
            await self.commit()

    async def commit(self) -> None:
        """Commit the offset after the item given out last, if not committed yet."""
        if self._pending is None:
            return
        partition, offset = self._pending
        try:
            await self._consumer.commit({partition: OffsetAndMetadata(offset, "")})
        except CommitFailedError as error:  # the partition moved to another group member
            _log.warning("outbox_commit_failed", topic=self.topic, offset=offset, error=str(error))
        self._pending = None

    async def close(self) -> None:
        """Commit the item given out last and leave the group."""
        if self._started:
            try:
                await self.commit()
            finally:
                await self._consumer.stop()
                self._started = False

    async def _decode(self, record: ConsumerRecord[bytes, bytes]) -> BaseModel | None:
        try:
            return await self._codec.decode(record.value)
        except CodecError as error:  # poison: skip it, loudly, instead of blocking the outbox
            _log.error(
                "outbox_item_undecodable",
                topic=record.topic, partition=record.partition, offset=record.offset,
                reason=error.reason, detail=error.message,
            )  # fmt: skip
            return None
