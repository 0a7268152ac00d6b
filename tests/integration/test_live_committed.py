"""The live worker applies only committed log records, as the clock and every replay do.

A gateway killed in the middle of a batch leaves an open transaction in the log, which its
successor aborts before it writes the same events again. A worker that read those aborted
records would show a phantom: here an incident at GRIP 4 that never entered the event store.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs import RegionView
from hub.domain import testing as given
from hub.topics.declaration import TopicNames
from tests.hub_process import HubProcess, hub_process
from tests.integration.live_support import (
    assert_live_equals_replay,
    assert_ticks_count_the_log,
    until,
    views,
)

pytestmark = pytest.mark.slow


async def _write_log(
    producer: AIOKafkaProducer, topic: str, codec: EventCodec, event: EventEnvelope, commit: bool
) -> None:
    """Write ``event`` to partition 0 of ``topic`` in a transaction, committed or aborted."""
    value = await codec.encode(event)
    await producer.begin_transaction()
    await producer.send_and_wait(
        topic, value, key=event.subject.encode(), partition=0, headers=to_ce_headers(event)
    )
    if commit:
        await producer.commit_transaction()
    else:
        await producer.abort_transaction()


async def test_aborted_log_records_never_reach_the_views(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """An aborted GRIP 4 report is not applied; the committed GRIP 2 report after it is."""
    env = live_hub_env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    with hub_process(env, tmp_path / "hub.log"):
        await codec.register_all()
        producer = AIOKafkaProducer(
            bootstrap_servers=env["KCR_BOOTSTRAP"], transactional_id=f"{names.prefix}-writer"
        )
        await producer.start()
        try:
            now = datetime.now(UTC)
            phantom = given.incident_reported("inc-phantom", now, "vr19", grip_level="4")
            real = given.incident_reported("inc-real", now, "vr19", grip_level="2")
            await _write_log(producer, names.log("incident"), codec, phantom, commit=False)
            await _write_log(producer, names.log("incident"), codec, real, commit=True)
        finally:
            await producer.stop()

        async def vr19_shown() -> bool:
            return isinstance((await views(env, "situation")).get("region/vr19"), RegionView)

        await until(vr19_shown, "vr19 in the situation view")
        await asyncio.sleep(1.0)  # a few more ticks: nothing may change afterwards
        situation = await views(env, "situation")
        region = situation["region/vr19"]
        assert isinstance(region, RegionView)
        assert region.active_incidents == ("inc-real",)
        assert region.highest_grip == "2"
        assert "incident/inc-phantom" not in situation
        await assert_live_equals_replay(env, names)


async def test_aborted_records_in_the_backlog_of_a_restarted_worker(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """A worker restarted behind an aborted transaction applies the committed records after it."""
    env = live_hub_env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    log = tmp_path / "hub.log"
    hub = HubProcess(env, log)
    await asyncio.to_thread(hub.wait_ready)
    try:
        await codec.register_all()
        producer = AIOKafkaProducer(
            bootstrap_servers=env["KCR_BOOTSTRAP"], transactional_id=f"{names.prefix}-writer"
        )
        await producer.start()
        try:
            now = datetime.now(UTC)
            first = given.incident_reported("inc-first", now, "vr19", grip_level="1")
            await _write_log(producer, names.log("incident"), codec, first, commit=True)

            async def first_shown() -> bool:
                return "incident/inc-first" in await views(env, "situation")

            await until(first_shown, "the first incident in the situation view")
            await asyncio.sleep(1.5)  # a snapshot covers it and its offsets are committed
            await asyncio.to_thread(hub.kill)
            for n in range(3):
                phantom = given.incident_reported(f"inc-phantom-{n}", now, "vr19", grip_level="4")
                await _write_log(producer, names.log("incident"), codec, phantom, commit=False)
                real = given.incident_reported(f"inc-real-{n}", now, "vr19", grip_level="2")
                await _write_log(producer, names.log("incident"), codec, real, commit=True)
        finally:
            await producer.stop()
        hub = HubProcess(env, log)
        await asyncio.to_thread(hub.wait_ready)

        async def reals_shown() -> bool:
            region = (await views(env, "situation")).get("region/vr19")
            return isinstance(region, RegionView) and len(region.active_incidents) == 4

        await until(reals_shown, "the committed incidents in the situation view")
        situation = await views(env, "situation")
        region = situation["region/vr19"]
        assert isinstance(region, RegionView)
        assert region.active_incidents == ("inc-first", "inc-real-0", "inc-real-1", "inc-real-2")
        await assert_live_equals_replay(env, names)
        await assert_ticks_count_the_log(env, names)
    finally:
        await asyncio.to_thread(hub.stop)
