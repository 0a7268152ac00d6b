"""How many copies of each partition a cluster keeps: the one place these numbers are decided.

A cluster of ``n`` controller-voting nodes replicates every topic ``min(3, n)`` times and
requires ``rf - 1`` in-sync replicas for an ``acks=all`` write, so one node may be down (or be
upgraded) without stopping writes. The local broker (:mod:`hub.broker.properties`), the local
three-node fault-test cluster (:mod:`hub.broker.cluster`) and the production manifests
(:mod:`hub.deploy`) all read their values from :func:`replication_for`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_REPLICATION", "PRODUCTION", "PRODUCTION_NODES", "Replication", "replication_for"]

MAX_REPLICATION = 3
"""No topic is kept more than three times, however many nodes the cluster has."""

PRODUCTION_NODES = 3
"""The production cluster: three combined broker+controller nodes (static voters)."""


@dataclass(frozen=True)
class Replication:
    """The replication factor of a cluster and the broker settings that follow from it."""

    factor: int

    @property
    def min_insync(self) -> int:
        """In-sync replicas an ``acks=all`` write needs: one fewer than the copies, at least 1."""
        return max(1, self.factor - 1)

    @property
    def session_timeout_ms(self) -> int:
        """How long a silent node keeps its leaderships.

        A lone node (factor 1) starved of CPU must not be fenced by its own controller: a fenced
        single node leaves its partitions without in-sync replicas. In a cluster a dead node must
        be fenced soon, so its partitions get new leaders.
        """
        return 30000 if self.factor == 1 else 10000

    def broker_configs(self) -> dict[str, str]:
        """The ``server.properties`` entries that depend on the replication factor."""
        rf, isr = str(self.factor), str(self.min_insync)
        return {
            "default.replication.factor": rf,
            "min.insync.replicas": isr,
            "offsets.topic.replication.factor": rf,
            "transaction.state.log.replication.factor": rf,
            "transaction.state.log.min.isr": isr,
            "share.coordinator.state.topic.replication.factor": rf,
            "share.coordinator.state.topic.min.isr": isr,
            "broker.session.timeout.ms": str(self.session_timeout_ms),
        }


def replication_for(voters: int) -> Replication:
    """The replication of a cluster with ``voters`` controller voters (one per node)."""
    if voters < 1:
        msg = f"a cluster needs at least one voter, not {voters}"
        raise ValueError(msg)
    return Replication(min(MAX_REPLICATION, voters))


PRODUCTION = replication_for(PRODUCTION_NODES)
"""Replication of the production cluster: factor 3, min.insync.replicas 2."""
