"""The broker stopped for several seconds under load and started again on the same data.

The test runs a broker of its own (free ports, own data dir). While it is down, the partners'
SDK clients keep publishing: their idempotent producers buffer and retry, and a publish that
fails after its delivery timeout is counted and sent again (the gateway drops the copy that
did arrive). The hub's gateway (transactional), clock and processors ride the outage out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.broker import LocalBroker
from tests.conftest import jars_dir
from tests.harness import free_port_pair
from tests.integration.fault_support import running_hub, settle_and_reconcile, steady_load

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of this test's own, always stopped at the end."""
    broker = LocalBroker(tmp_path / "broker", jars_dir(), "127.0.0.1", free_port_pair())
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


async def test_broker_stopped_and_restarted_under_load_loses_and_doubles_nothing(
    own_broker: LocalBroker, live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """Broker down ~8 s mid-load, then back on its data: every id logged once, views = replay."""
    env = {**live_hub_env, "KCR_BOOTSTRAP": own_broker.bootstrap}
    async with running_hub(env, tmp_path / "hub.log"):
        async with steady_load(env, "outage") as load:
            await asyncio.sleep(8)
            await asyncio.to_thread(own_broker.stop)
            await asyncio.sleep(8)
            await asyncio.to_thread(own_broker.start)
            await asyncio.sleep(8)
        counts = await settle_and_reconcile(env, load)
    # only copies of batches sent again after a failed publish may be dead letters
    assert counts.deadlettered <= len(load.republished), counts.line()
