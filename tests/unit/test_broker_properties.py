"""The rendered broker configuration suits a fast single local node."""

from pathlib import Path

from hub.broker.properties import NodeConfig, render_server_properties


def _parse(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_single_node_uses_combined_roles_and_fast_settings() -> None:
    """One node: broker+controller, its own voter, RF 1, no initial rebalance delay."""
    props = _parse(render_server_properties(NodeConfig("127.0.0.1", 19092, 19093, Path("/d"))))
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["offsets.topic.num.partitions"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    assert props["log.dirs"] == "/d"


def test_three_voters_replicate_internal_topics_three_times() -> None:
    """With three voters internal topics get RF 3 and min ISR 2."""
    voters = "1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3"
    node = NodeConfig("127.0.0.1", 5, 1, Path("/d"), node_id=1, voters=voters)
    props = _parse(render_server_properties(node))
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"
    assert props["controller.quorum.voters"] == voters


def test_secure_node_has_no_plaintext_client_listener_and_denies_by_default() -> None:
    """--secure: SASL on the client port, PLAIN on the controller, ACLs, no ANONYMOUS."""
    from hub.broker.properties import SecureListeners

    node = NodeConfig(host="127.0.0.1", port=19092, controller_port=19093, log_dir=Path("/d"))
    text = render_server_properties(node, SecureListeners("adminpw", "ctrlpw"))
    props = dict(line.split("=", 1) for line in text.splitlines())
    assert props["listeners"] == "SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert "PLAINTEXT:PLAINTEXT" not in props["listener.security.protocol.map"]
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["super.users"] == "User:admin;User:controller"
    assert "ANONYMOUS" not in text
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")


def test_replication_follows_the_voters_up_to_three() -> None:
    """One copy per voter, at most three; min ISR one fewer, at least one; no voters refused."""
    import pytest

    from hub.broker.replication import PRODUCTION, replication_for

    assert [replication_for(n).factor for n in (1, 2, 3, 5)] == [1, 2, 3, 3]
    assert [replication_for(n).min_insync for n in (1, 2, 3, 5)] == [1, 1, 2, 2]
    assert (PRODUCTION.factor, PRODUCTION.min_insync) == (3, 2)
    with pytest.raises(ValueError, match="at least one voter"):
        replication_for(0)
