"""The gateway recovers from a failed transaction by itself: nothing lost, nothing doubled."""

from __future__ import annotations

from collections.abc import Callable

from aiokafka import AIOKafkaProducer

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.gateway.service import GatewayWiring
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    publish,
    read_all,
    running_gateway,
    unique_prefix,
    wait_for_records,
)


async def test_gateway_fenced_mid_run_renews_its_producer_and_goes_on(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Another producer takes the gateway's transactional id; later events still land, once.

    The fence makes every transaction of the old producer fail (``ProducerFenced``), as a
    producer out of step after a broker restart does; retrying with it would never succeed.
    """
    org = "vr19"
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), (org,))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    first = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
    later = [fresh_example("heartbeat.sent", source=org, subject=org) for _ in range(10)]
    async with running_gateway(kafka_bootstrap, names, registry_url) as gateway:
        await publish(kafka_bootstrap, codec, names.ingress(org), first)
        await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 10)
        wiring = GatewayWiring(kafka_bootstrap, names)
        intruder = AIOKafkaProducer(
            bootstrap_servers=kafka_bootstrap, transactional_id=f"{wiring.group_id}-0"
        )
        await intruder.start()  # a new epoch for the id: the gateway's producer is fenced
        await intruder.stop()
        await publish(kafka_bootstrap, codec, names.ingress(org), later)
        records = await wait_for_records(kafka_bootstrap, [names.log("heartbeat")], 20)
    logged = [(await codec.decode_event(r.value)).id for r in records]
    assert sorted(logged) == sorted(e.id for e in [*first, *later]), "lost or doubled"
    assert gateway.stats.producers_renewed >= 1
    assert gateway.stats.accepted == 20
    assert await read_all(kafka_bootstrap, [names.deadletter]) == []
