"""Starting an aiokafka producer without leaking it when the start fails."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaProducer

__all__ = ["started_producer"]


async def started_producer(**options: Any) -> AIOKafkaProducer:
    """A started ``AIOKafkaProducer(**options)``; stopped again if starting it fails.

    A producer whose ``start`` raised (broker away, login refused, fenced) still holds its
    client and sender task; stopping it releases them before the error goes on.
    """
    producer = AIOKafkaProducer(**options)
    try:
        await producer.start()
    except BaseException:
        await producer.stop()
        raise
    return producer
