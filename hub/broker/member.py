"""How a local broker joins a multi-node KRaft cluster on loopback (tests of faults)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClusterMember"]


@dataclass(frozen=True)
class ClusterMember:
    """One node of a static-voter cluster: its id, the voters, the shared id and its heap.

    ``voters`` is ``controller.quorum.voters`` (``1@127.0.0.1:p1c,2@...``); every node of a
    cluster formats its storage with the same ``cluster_id``.
    """

    node_id: int
    voters: str
    cluster_id: str
    heap_mb: int = 384
