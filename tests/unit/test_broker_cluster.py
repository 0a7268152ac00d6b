"""A local multi-node cluster: one voter per node, one shared cluster id, a small heap."""

from pathlib import Path

from hub.broker.cluster import LocalCluster
from hub.broker.properties import NodeConfig, render_server_properties


def _parse(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_three_nodes_share_voters_and_cluster_id() -> None:
    """Node i listens on its port, its controller on port + 1; all list the same three voters."""
    cluster = LocalCluster(Path("/c"), Path("/jars"), [5000, 6000, 7000], heap_mb=384)
    voters = "1@127.0.0.1:5001,2@127.0.0.1:6001,3@127.0.0.1:7001"
    assert [node.node.node_id for node in cluster.nodes] == [1, 2, 3]
    assert {node.node.quorum_voters for node in cluster.nodes} == {voters}
    assert len({node.member.cluster_id for node in cluster.nodes if node.member}) == 1
    assert cluster.nodes[1].home == Path("/c/node-2")
    assert cluster.bootstrap == "127.0.0.1:5000,127.0.0.1:6000,127.0.0.1:7000"


def test_cluster_node_is_fenced_sooner_than_a_single_node() -> None:
    """A dead cluster node loses its leaderships within 10 s; a lone node is given 30 s."""
    voters = "1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3"
    member = NodeConfig("127.0.0.1", 5, 1, Path("/d"), node_id=2, voters=voters)
    alone = NodeConfig("127.0.0.1", 5, 6, Path("/d"))
    assert _parse(render_server_properties(member))["broker.session.timeout.ms"] == "10000"
    assert _parse(render_server_properties(alone))["broker.session.timeout.ms"] == "30000"
