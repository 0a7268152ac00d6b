"""A three-node KRaft cluster loses a broker (SIGKILL) under load and gets it back.

Three combined broker+controller nodes on loopback with static voters; every hub topic has
replication factor 3 and ``min.insync.replicas=2``; producers use ``acks=all`` (idempotent or
transactional). The hub's gateway, clock and processors run against all three addresses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from hub.broker.cluster import LocalCluster
from hub.topics.declaration import TopicNames
from tests.conftest import jars_dir
from tests.harness import free_port_pair
from tests.integration.fault_support import running_hub, settle_and_reconcile, steady_load

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """Three nodes of this test's own (384 MB heap each), always stopped at the end."""
    ports: list[int] = []
    while len(ports) < 3:
        port = free_port_pair()
        if not {port, port + 1} & {p + d for p in ports for d in (0, 1)}:
            ports.append(port)
    nodes = LocalCluster(tmp_path / "cluster", jars_dir(), ports, heap_mb=384)
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


def _leader_of(bootstrap: str, topic: str) -> int:
    """The node that leads partition 0 of ``topic``."""
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=10)
    return metadata.topics[topic].partitions[0].leader


def _replication(bootstrap: str, topic: str) -> tuple[int, str]:
    """Return the replica count of ``topic`` and its ``min.insync.replicas``."""
    from confluent_kafka.admin import ConfigResource

    admin = AdminClient({"bootstrap.servers": bootstrap})
    replicas = len(admin.list_topics(topic, timeout=10).topics[topic].partitions[0].replicas)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(timeout=10)
    return replicas, configs["min.insync.replicas"].value


async def test_cluster_node_killed_under_load_loses_and_doubles_nothing(
    cluster: LocalCluster, live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """SIGKILL the leader of the heartbeat log mid-load, restart it: ids once, views = replay."""
    env = {**live_hub_env, "KCR_BOOTSTRAP": cluster.bootstrap}
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    async with running_hub(env, tmp_path / "hub.log"):
        assert _replication(cluster.bootstrap, names.log("heartbeat")) == (3, "2")
        async with steady_load(env, "cluster") as load:
            await asyncio.sleep(8)
            victim = _leader_of(cluster.bootstrap, names.log("heartbeat"))
            print(f"killing node {victim}")
            await asyncio.to_thread(cluster.nodes[victim - 1].kill)
            await asyncio.sleep(10)
            await asyncio.to_thread(cluster.restart, victim)
            await asyncio.sleep(6)
        counts = await settle_and_reconcile(env, load)
    assert counts.deadlettered <= len(load.republished), counts.line()
