"""``apply_topics`` on the real broker: idempotent, and safe when several services race."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hub.topics import TopicSpec
from hub.topics.admin import apply_topics


async def test_services_creating_the_same_topics_at_once_all_succeed(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    """Four concurrent appliers of the same new topics: none fails, each topic made once."""
    specs = [TopicSpec(unique_name(f"t.race{i}"), "test", partitions=3) for i in range(3)]
    reports = await asyncio.gather(
        *(asyncio.to_thread(apply_topics, kafka_bootstrap, specs) for _ in range(4))
    )
    for spec in specs:
        outcomes = [spec.name in r.created or spec.name in r.unchanged for r in reports]
        assert all(outcomes), (spec.name, reports)
    again = apply_topics(kafka_bootstrap, specs)
    assert sorted(again.unchanged) == sorted(s.name for s in specs)
    assert again.created == []
    assert again.in_sync
