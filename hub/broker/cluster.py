"""A multi-node KRaft cluster on loopback: combined broker+controller nodes, static voters.

For fault tests: each node is a :class:`LocalBroker` under ``home/node-<id>`` whose controller
listens on its client port plus one; all nodes share one cluster id.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hub.broker.member import ClusterMember
from hub.broker.process import LocalBroker, _new_cluster_id
from hub.errors import BrokerError
from hub.kafka.admin import admin_client

__all__ = ["LocalCluster"]


class LocalCluster:
    """Nodes 1..n of one cluster; a node's index in :attr:`nodes` is its id minus one."""

    def __init__(
        self, home: Path, jars_dir: Path, ports: Sequence[int], heap_mb: int = 384
    ) -> None:
        """Describe a cluster with one node per client port; nothing starts yet."""
        host = "127.0.0.1"
        voters = ",".join(f"{i}@{host}:{port + 1}" for i, port in enumerate(ports, start=1))
        cluster_id = _new_cluster_id()
        members = [ClusterMember(i, voters, cluster_id, heap_mb) for i in range(1, len(ports) + 1)]
        self.nodes = [
            LocalBroker(home / f"node-{m.node_id}", jars_dir, host, port, member=m)
            for m, port in zip(members, ports, strict=True)
        ]

    @property
    def bootstrap(self) -> str:
        """Every node's client address, comma-separated."""
        return ",".join(node.bootstrap for node in self.nodes)

    def start(self, timeout: float = 180.0) -> None:
        """Launch every node, then wait until each answers (a quorum needs a majority up)."""
        for node in self.nodes:
            node.launch()
        for node in self.nodes:
            if not node.wait_ready(timeout):
                self.stop()
                raise BrokerError(
                    f"Cluster node {node.node.node_id} did not answer on {node.bootstrap}.",
                    fix=f"read {node.log_file}.",
                )
        self.wait_registered(timeout)

    def wait_registered(self, timeout: float = 60.0) -> None:
        """Wait until the cluster's metadata lists every node as a broker."""
        wanted = {node.node.node_id for node in self.nodes}
        admin = admin_client(self.bootstrap)
        deadline = time.monotonic() + timeout
        while set(admin.list_topics(timeout=10).brokers) != wanted:
            if time.monotonic() > deadline:
                raise BrokerError(
                    f"Not every node of {self.bootstrap} registered within {timeout:.0f} s.",
                    fix="read the nodes' broker.log files.",
                )
            time.sleep(0.3)

    def restart(self, node_id: int, timeout: float = 180.0) -> None:
        """Start a stopped or killed node again on its own data."""
        self.nodes[node_id - 1].start(timeout)
        self.wait_registered(timeout)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every running node at once (SIGTERM, SIGKILL after ``timeout``).

        All together: a node stopped last, alone without a quorum, could not shut down cleanly.
        """
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            list(pool.map(lambda node: node.stop(timeout), self.nodes))
