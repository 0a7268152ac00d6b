"""Signed webhook delivery of the outbox on the real broker: retries, dead letters, resume."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from hub.bridge.config import WebhookTarget
from hub.bridge.signing import verify_signature
from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.topics.declaration import TopicNames
from tests.harness import wait_until
from tests.integration.bridge_support import Receiver, issue_keys, receiving, running_bridge
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    publish,
    read_all,
    unique_prefix,
)

SECRET = "webhook-secret-of-vr07"


async def _setup(
    bootstrap: str, unique_name: Callable[[str], str], registry_url: str
) -> tuple[TopicNames, EventCodec, list[EventEnvelope]]:
    names = await asyncio.to_thread(
        make_hub_topics, bootstrap, unique_prefix(unique_name), ("vr07",)
    )
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    return names, codec, [fresh_example("incident.reported") for _ in range(3)]


def _ids(deliveries: list[tuple[dict[str, str], bytes]]) -> list[str]:
    return [json.loads(body)["id"] for _, body in deliveries]


async def test_a_recovering_receiver_gets_each_item_once_signed(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """Two failures then success: each item delivered once; a restart resumes after them."""
    names, codec, items = await _setup(kafka_bootstrap, unique_name, registry_url)
    keys_file = tmp_path / "keys.json"
    issue_keys(keys_file, "vr07")
    receiver = Receiver(failures=2)
    await publish(kafka_bootstrap, codec, names.outbox("vr07"), items[:2])
    async with receiving(receiver) as hook:
        webhooks = {"vr07": WebhookTarget(url=hook, secret=SECRET)}
        async with running_bridge(kafka_bootstrap, names, registry_url, keys_file, webhooks):
            await wait_until(lambda: _count(receiver, 2), what="two deliveries")
        await publish(kafka_bootstrap, codec, names.outbox("vr07"), items[2:])
        async with running_bridge(kafka_bootstrap, names, registry_url, keys_file, webhooks):
            await wait_until(lambda: _count(receiver, 3), what="the third delivery")
            await asyncio.sleep(1)  # a repeat would arrive now
    assert _ids(receiver.accepted) == [item.id for item in items]
    assert len(receiver.attempts) == 5
    for headers, body in receiver.accepted:
        assert headers["x-kcr-signature"].startswith("sha256=")
        assert verify_signature(
            SECRET, headers["x-kcr-timestamp"], body, headers["x-kcr-signature"]
        )
        assert headers["x-kcr-event-type"] == "nl.kcr.incident.reported"
    assert not await read_all(kafka_bootstrap, [names.deadletter])


async def test_a_receiver_that_stays_down_gives_a_dead_letter(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """After max_tries the item is dead-lettered as webhook_failed and delivery moves on."""
    names, codec, items = await _setup(kafka_bootstrap, unique_name, registry_url)
    keys_file = tmp_path / "keys.json"
    issue_keys(keys_file, "vr07")
    receiver = Receiver(failures=3)  # exactly the three tries of the first item
    await publish(kafka_bootstrap, codec, names.outbox("vr07"), items[:2])
    async with receiving(receiver) as hook:
        webhooks = {"vr07": WebhookTarget(url=hook, secret=SECRET)}
        async with running_bridge(kafka_bootstrap, names, registry_url, keys_file, webhooks):
            await wait_until(lambda: _count(receiver, 1), what="the second item delivered")
    [letter] = await read_all(kafka_bootstrap, [names.deadletter])
    headers = header_map(letter.headers)
    assert headers["kcr_reason"] == "webhook_failed"
    assert "HTTP 500" in headers["kcr_detail"]
    assert "after 3 tries" in headers["kcr_detail"]
    assert headers["kcr_source_topic"] == names.outbox("vr07")
    assert headers["kcr_source_offset"] == "0"
    assert headers["ce_id"] == items[0].id
    assert (await codec.decode_event(letter.value)).id == items[0].id
    assert _ids(receiver.accepted) == [items[1].id]


async def _count(receiver: Receiver, count: int) -> bool:
    return len(receiver.accepted) >= count
