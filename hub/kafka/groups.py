"""What the cluster says about a consumer group: its state and how many members it has."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from confluent_kafka.admin import AdminClient

__all__ = ["group_state"]

_TIMEOUT_S = 15.0


async def group_state(
    bootstrap: str, group: str, options: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """Return ``group``'s state (``EMPTY``, ``STABLE``, ``DEAD``, ...) and its member count.

    ``options``: librdkafka settings of the login (a secure cluster's operator). A group the
    cluster does not know is ``DEAD`` with no members. Raises ``KafkaException`` when the
    cluster does not answer within 15 s.
    """

    def describe() -> tuple[str, int]:
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, **(options or {})})
        result = admin.describe_consumer_groups([group], request_timeout=_TIMEOUT_S)[group]
        described = result.result()
        return described.state.name, len(described.members)

    return await asyncio.to_thread(describe)
