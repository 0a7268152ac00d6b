"""A history far past the old one-record snapshot: the hub stays live, no stored record grows.

The processors used to save their whole projection as one table value each second; about
31,000 incidents in the state took it past Kafka's 1 MiB record limit and stopped them for
good. Here 30,000 incidents are reported and closed through the gateway while ``kcr run``
runs; the state is stored as keyed entries, so the largest record of the table's changelog
stays small, the hub goes on to show a later incident, and it does so again after a SIGKILL
and a restart from the saved state.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import Producer

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs import IncidentView, NationalSituationView
from hub.domain import testing as given
from hub.topics.declaration import TopicNames
from tests.hub_process import HubProcess
from tests.integration.live_support import raw_records, until, views

pytestmark = pytest.mark.slow

HISTORY = 30_000
"""Incidents reported and closed: past the ~31,000-incident state that broke the old snapshot,
counting their views too."""
RECORD_LIMIT = 64 * 1024
"""The largest record the processors may store (issue 15's goal)."""


def _headers(event: EventEnvelope) -> list[tuple[str, str | bytes | None]]:
    """The CloudEvents headers of ``event``, typed as confluent-kafka takes them."""
    return [*to_ce_headers(event)]


async def _publish_history(env: dict[str, str], names: TopicNames) -> None:
    """Report and close HISTORY incidents of vr01..vr25, as fast as the producer takes them."""
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    await codec.register_all()
    producer = Producer({"bootstrap.servers": env["KCR_BOOTSTRAP"], "linger.ms": 20})
    start = datetime.now(UTC) - timedelta(hours=2)
    for n in range(HISTORY):
        region = f"vr{n % 25 + 1:02d}"
        at = start + timedelta(milliseconds=n)
        for event in (
            given.incident_reported(f"old-{n}", at, region),
            given.incident_closed(f"old-{n}", at + timedelta(seconds=1), region),
        ):
            value = await codec.encode(event)
            while True:
                try:
                    producer.produce(
                        names.ingress(region), value, key=event.subject.encode(),
                        headers=_headers(event),
                    )  # fmt: skip
                    break
                except BufferError:
                    producer.poll(0.05)
        producer.poll(0)
    assert await asyncio.to_thread(producer.flush, 60) == 0


async def _publish(env: dict[str, str], names: TopicNames, incident_id: str) -> None:
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    event = given.incident_reported(incident_id, datetime.now(UTC), "vr19")
    producer = Producer({"bootstrap.servers": env["KCR_BOOTSTRAP"]})
    producer.produce(
        names.ingress("vr19"), await codec.encode(event), key=event.subject.encode(),
        headers=_headers(event),
    )  # fmt: skip
    assert await asyncio.to_thread(producer.flush, 30) == 0


async def _shown(env: dict[str, str], incident_id: str) -> None:
    async def seen() -> bool:
        return isinstance(
            (await views(env, "situation")).get(f"incident/{incident_id}"), IncidentView
        )

    await until(seen, f"{incident_id} in the situation view", timeout=600)


@pytest.mark.timeout(1200)
async def test_a_long_history_keeps_every_stored_record_small_and_the_hub_live(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """30,000 closed incidents: largest state record ≤ 64 KiB; live before and after a kill."""
    env = live_hub_env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    log = tmp_path / "hub.log"
    hub = HubProcess(env, log)
    await asyncio.to_thread(hub.wait_ready)
    try:
        await _publish_history(env, names)
        await _publish(env, names, "after-history")
        await _shown(env, "after-history")

        async def only_the_marker_active() -> bool:
            national = (await views(env, "situation")).get("national")
            assert isinstance(national, NationalSituationView)
            return national.active_incidents == 1

        await until(only_the_marker_active, "every history incident closed", timeout=300)

        changelog = f"{names.prefix}-processors-projector-changelog"
        records = await raw_records(env["KCR_BOOTSTRAP"], changelog)
        largest = max(len(record.value or b"") for record in records)
        print(f"state changelog: {len(records)} records, largest {largest} bytes")
        assert len({record.key for record in records}) > HISTORY  # an entry per incident
        assert largest <= RECORD_LIMIT

        await asyncio.to_thread(hub.kill)
        before_restart = len(log.read_text(encoding="utf-8"))
        hub = HubProcess(env, log)
        await asyncio.to_thread(hub.wait_ready)
        await _publish(env, names, "after-restart")
        await _shown(env, "after-restart")
        restart = log.read_text(encoding="utf-8")[before_restart:]
        assert "worker.restored" in restart  # from the keyed state, not rebuilt from the log
        assert "worker.rebuilt" not in restart
    finally:
        await asyncio.to_thread(hub.stop)
