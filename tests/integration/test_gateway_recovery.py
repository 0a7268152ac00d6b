"""The gateway recovers from a failed transaction by itself: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ResourceType,
)

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.organisations import load_registry
from hub.gateway.service import Gateway, GatewayFenced, GatewayWiring
from hub.kafka.errors import TransactionFatal
from tests.harness import running_service, wait_until
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    publish,
    read_all,
    running_gateway,
    unique_prefix,
    wait_for_records,
)


async def test_a_gateway_fenced_by_a_newer_producer_stops_and_its_successor_goes_on(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """A newer producer takes the gateway's id: it stops; a successor logs the rest, once.

    The fenced gateway writes nothing more; a gateway started again with the same instance name
    logs the later events, each once. librdkafka reports the fence as fatal (``_FENCED``): a
    newer instance holds the id, and a renewed producer would only fence that one back.
    """
    org = "vr19"
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), (org,))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    first = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
    later = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
    wiring = GatewayWiring(kafka_bootstrap, names)
    gateway = Gateway(wiring, codec, load_registry())
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(gateway.run(stop, ready))
    await asyncio.wait_for(ready.wait(), 90)
    await publish(kafka_bootstrap, codec, names.ingress(org), first)
    await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 10)
    intruder = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=wiring.transactional_id
    )
    await intruder.start()  # a new epoch for the id: the gateway's producer is fenced
    await intruder.stop()
    await publish(kafka_bootstrap, codec, names.ingress(org), later)
    with pytest.raises(GatewayFenced):
        await asyncio.wait_for(task, 60)
    assert gateway.stats.accepted == 10
    assert len(await read_all(kafka_bootstrap, [names.log("heartbeat")])) == 10
    async with running_gateway(kafka_bootstrap, names, registry_url) as successor:
        records = await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 20)
    logged = [(await codec.decode_event(r.value)).id for r in records]
    assert sorted(logged) == sorted(e.id for e in [*first, *later]), "lost or doubled"
    assert successor.stats.accepted == 10
    assert await read_all(kafka_bootstrap, [names.deadletter]) == []


async def test_two_gateways_with_their_own_instance_names_share_the_ingress(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Two gateways (gateway-1, gateway-2) in one group: every event logged once, no fencing."""
    orgs = ("vr01", "vr02", "vr03", "vr04")
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), orgs)
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    events = {
        org: [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
        for org in orgs
    }
    gateways = [
        Gateway(
            GatewayWiring(kafka_bootstrap, names, instance=f"gateway-{n}"),
            EventCodec(HttpSchemaRegistry(registry_url)),
            load_registry(),
        )
        for n in (1, 2)
    ]
    async with running_service(gateways[0].run), running_service(gateways[1].run):
        for org, batch in events.items():
            await publish(kafka_bootstrap, codec, names.ingress(org), batch)
        records = await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 40)
    logged = [(await codec.decode_event(r.value)).id for r in records]
    assert sorted(logged) == sorted(e.id for batch in events.values() for e in batch)
    assert [g.stats.producers_renewed for g in gateways] == [0, 0], "they fenced each other"
    assert sum(g.stats.accepted for g in gateways) == 40


def _set_max_message_bytes(bootstrap: str, topic: str, limit: int) -> None:
    """Change one topic's ``max.message.bytes`` (the broker refuses larger batches)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(
        ResourceType.TOPIC,
        topic,
        incremental_configs=[
            ConfigEntry(
                "max.message.bytes", str(limit), incremental_operation=AlterConfigOpType.SET
            )
        ],
    )
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(timeout=30)


async def test_a_log_write_the_broker_refuses_is_retried_never_skipped(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """The log topic refuses every write for a while: the batch's offsets are not committed.

    A transaction must not commit while a record of it failed; otherwise the consumed offsets
    land without the events (a silent loss). librdkafka fails such a commit as abortable; the
    gateway aborts and reads the batch again. Once the topic takes records again, every event
    lands, once.
    """
    org = "vr19"
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), (org,))
    log_topic = names.log("heartbeat")
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    events = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
    await asyncio.to_thread(_set_max_message_bytes, kafka_bootstrap, log_topic, 128)
    async with running_gateway(kafka_bootstrap, names, registry_url) as gateway:
        await publish(kafka_bootstrap, codec, names.ingress(org), events)

        async def retried_twice() -> bool:
            return gateway.stats.retries >= 2

        await wait_until(retried_twice, what="the refused batch to be retried")
        assert await read_all(kafka_bootstrap, [log_topic]) == []
        assert gateway.stats.accepted == 0, "counted as accepted while the log refused them"
        await asyncio.to_thread(_set_max_message_bytes, kafka_bootstrap, log_topic, 1_048_588)
        records = await wait_for_records(kafka_bootstrap, [log_topic], 10)
    logged = [(await codec.decode_event(r.value)).id for r in records]
    assert sorted(logged) == sorted(e.id for e in events), "lost or doubled"
    assert gateway.stats.accepted == 10


class _AnswerLostOnce(Gateway):
    """A gateway whose first commit completes on the broker but fails on the client.

    That is what a broker stopping right after it wrote the commit looks like from the gateway:
    the transaction landed, the answer never came.
    """

    answer_lost = False

    async def _commit(self, producer: Any, outputs: Any, batch: Any) -> None:
        await super()._commit(producer, outputs, batch)
        if not self.answer_lost:
            self.answer_lost = True
            raise TransactionFatal("commit_transaction", "_FATAL", "the commit's answer was lost")


async def test_a_batch_that_landed_despite_a_failed_commit_is_counted_and_remembered(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """After a lost answer the gateway counts the batch and drops a partner's resend of it."""
    org = "vr19"
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), (org,))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    events = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
    gateway = _AnswerLostOnce(GatewayWiring(kafka_bootstrap, names), codec, load_registry())
    async with running_service(gateway.run):
        await publish(kafka_bootstrap, codec, names.ingress(org), events)
        await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 10)

        async def all_counted() -> bool:
            return gateway.stats.accepted >= 10

        await wait_until(all_counted, what="the gateway to count all ten events")
        await publish(kafka_bootstrap, codec, names.ingress(org), events)  # the partner resends
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], 10)
    assert gateway.answer_lost
    assert gateway.stats.producers_renewed == 1
    logged = await read_all(kafka_bootstrap, [names.log("heartbeat")])
    assert sorted([(await codec.decode_event(r.value)).id for r in logged]) == sorted(
        e.id for e in events
    ), "the resend of the landed batch was logged again"
    assert [dict(r.headers)["kcr_reason"] for r in letters] == [b"duplicate_event_id"] * 10
    assert gateway.stats.accepted == 10
    assert gateway.stats.rejected == {"duplicate_event_id": 10}
