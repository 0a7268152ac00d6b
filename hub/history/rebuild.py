"""``kcr replay --rebuild``: make the compacted view topics equal a replay of the log.

For a new processor version: every view key of the replay gets its current record, and every
key on a view topic that the replay does not have gets a tombstone (a null value), so after
compaction the topics hold exactly the replay's views. Running it twice changes nothing the
topics show. It refuses while the processors' consumer group is active, since live workers
would publish over it. The topics' keys are read with the history reader (keys only: the views
on them are not decoded) and the records go out through the processors' own idempotent
librdkafka producer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

from hub.codec.serde import EventCodec
from hub.contracts.outputs import CAPACITY, SCENARIOS, SITUATION
from hub.domain.views import ViewRecord
from hub.history.archive.errors import RebuildRefused
from hub.kafka.groups import group_state
from hub.kafka.history_reader import read_topics
from hub.kafka.output_producer import OutputProducer
from hub.topics.declaration import TopicNames

__all__ = [
    "VIEW_KINDS",
    "RebuildReport",
    "check_processors_idle",
    "present_keys",
    "processors_group",
    "rebuild",
]

VIEW_KINDS = (SITUATION, CAPACITY, SCENARIOS)
"""The view kinds, each with its compacted topic ``kcr.view.<kind>``."""
_IDLE = {"EMPTY", "DEAD"}


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
    state, members = await group_state(bootstrap, group, admin_config)
    if state not in _IDLE or members:
        raise RebuildRefused(group, state, members)


async def present_keys(
    bootstrap: str, topic: str, client_config: Mapping[str, str] | None = None
) -> set[str]:
    """Return the keys a (compacted) topic holds now: those whose latest record is no tombstone."""
    present: set[str] = set()
    async with aclosing(read_topics(bootstrap, [topic], client_config)) as batches:
        async for batch in batches:
            for record in batch:
                key = (record.key() or b"").decode()
                if record.value() is None:
                    present.discard(key)
                else:
                    present.add(key)
    return present


async def rebuild(
    bootstrap: str,
    names: TopicNames,
    codec: EventCodec,
    views: Sequence[ViewRecord],
    client_config: Mapping[str, str] | None = None,
) -> RebuildReport:
    """Publish every replayed view record and tombstone the view keys the replay lacks.

    ``client_config``: librdkafka options (the login). Raises ``OutputsUndelivered`` when the
    broker did not acknowledge every record.
    """
    report = RebuildReport()
    producer = OutputProducer(bootstrap, client_config)
    try:
        for kind in VIEW_KINDS:
            topic = names.view(kind)
            wanted = {key: view for view_kind, key, view in views if view_kind == kind}
            present = await present_keys(bootstrap, topic, client_config)
            for key, view in sorted(wanted.items()):
                producer.send(topic, key.encode(), await codec.encode(view))
            for key in sorted(present - set(wanted)):
                producer.send(topic, key.encode(), None)
                report.tombstoned.append((topic, key))
            report.published[topic] = len(wanted)
            producer.serve()
        await producer.flush()
    finally:
        await producer.close()
    return report
