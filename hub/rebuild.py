"""``kcr replay --rebuild``: make the compacted view topics equal a replay of the log.

For a new processor version: every view key of the replay gets its current record, and every
key on a view topic that the replay does not have gets a tombstone (a null value), so after
compaction the topics hold exactly the replay's views. Running it twice changes nothing the
topics show. It refuses while the processors' consumer group is active, since live workers
would publish over it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from confluent_kafka import ConsumerGroupState
from confluent_kafka.admin import AdminClient

from hub.archive.errors import RebuildRefused
from hub.codec.serde import EventCodec
from hub.contracts.outputs import CAPACITY, SCENARIOS, SITUATION
from hub.domain.views import ViewRecord
from hub.readers import latest_by_key
from hub.topics.declaration import TopicNames

__all__ = ["VIEW_KINDS", "RebuildReport", "check_processors_idle", "processors_group", "rebuild"]

VIEW_KINDS = (SITUATION, CAPACITY, SCENARIOS)
"""The view kinds, each with its compacted topic ``kcr.view.<kind>``."""
_IDLE = {ConsumerGroupState.EMPTY, ConsumerGroupState.DEAD}


@dataclass
class RebuildReport:
    """What a rebuild published: records per topic, and the keys it tombstoned."""

    published: dict[str, int] = field(default_factory=dict)
    tombstoned: list[tuple[str, str]] = field(default_factory=list)


def processors_group(names: TopicNames) -> str:
    """The consumer group of the live processors (their Faust app id)."""
    return f"{names.prefix}-processors"


async def check_processors_idle(
    bootstrap: str, group: str, admin_config: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`RebuildRefused` when ``group`` has members or is rebalancing.

    ``admin_config``: confluent-kafka options of the login (a secure cluster's operator).
    """

    def describe() -> tuple[ConsumerGroupState, int]:
        options: dict[str, str | int | float | bool] = {
            "bootstrap.servers": bootstrap,
            "log_level": 0,
        }
        options.update(admin_config or {})
        admin = AdminClient(options)
        result = admin.describe_consumer_groups([group], request_timeout=15)[group].result()
        return result.state, len(result.members)

    state, members = await asyncio.to_thread(describe)
    if state not in _IDLE or members:
        raise RebuildRefused(group, state.name, members)


async def rebuild(
    bootstrap: str,
    names: TopicNames,
    codec: EventCodec,
    views: Sequence[ViewRecord],
    client_config: Mapping[str, Any] | None = None,
) -> RebuildReport:
    """Publish every replayed view record and tombstone the view keys the replay lacks."""
    report = RebuildReport()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, **(client_config or {})
    )
    await producer.start()
    try:
        for kind in VIEW_KINDS:
            topic = names.view(kind)
            wanted = {key: view for view_kind, key, view in views if view_kind == kind}
            present = await latest_by_key(bootstrap, topic, codec, client_config)
            for key, view in sorted(wanted.items()):
                await producer.send(topic, await codec.encode(view), key=key.encode())
            for key in sorted(set(present) - set(wanted)):
                await producer.send(topic, None, key=key.encode())
                report.tombstoned.append((topic, key))
            report.published[topic] = len(wanted)
        await producer.flush()
    finally:
        await producer.stop()
    return report
