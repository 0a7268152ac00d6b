"""Render ``server.properties`` and the log4j2 configuration of a local KRaft broker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hub.broker.replication import Replication, replication_for

__all__ = ["NodeConfig", "SecureListeners", "render_log4j2", "render_server_properties"]

SCRAM = "SCRAM-SHA-512"
_SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
_PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"


@dataclass(frozen=True)
class NodeConfig:
    """One KRaft node in combined broker+controller mode on loopback."""

    host: str
    port: int
    controller_port: int
    log_dir: Path
    node_id: int = 1
    voters: str = ""  # "1@host:port,..."; empty means this node alone

    @property
    def quorum_voters(self) -> str:
        """The static controller quorum (``controller.quorum.voters``)."""
        return self.voters or f"{self.node_id}@{self.host}:{self.controller_port}"

    @property
    def replication(self) -> int:
        """Replication factor of internal topics: one per voter, at most three."""
        return self.replication_settings.factor

    @property
    def replication_settings(self) -> Replication:
        """The replication settings of a cluster with this node's voters."""
        return replication_for(len(self.quorum_voters.split(",")))


@dataclass(frozen=True)
class SecureListeners:
    """Passwords a secure node needs in its own configuration (never logged).

    The client port is SASL_PLAINTEXT with SCRAM-SHA-512 only, and the broker talks to itself
    (inter-broker: transaction markers) on it as ``admin``. The controller port takes SASL PLAIN
    with one static user, ``controller``. No listener accepts ANONYMOUS.
    """

    admin_password: str
    controller_password: str


def _secure_lines(node: NodeConfig, secure: SecureListeners) -> dict[str, str]:
    admin, controller = secure.admin_password, secure.controller_password
    return {
        "listeners": (
            f"SASL_PLAINTEXT://{node.host}:{node.port},"
            f"CONTROLLER://{node.host}:{node.controller_port}"
        ),
        "advertised.listeners": f"SASL_PLAINTEXT://{node.host}:{node.port}",
        "inter.broker.listener.name": "SASL_PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": SCRAM,
        "sasl.mechanism.inter.broker.protocol": SCRAM,
        "listener.name.sasl_plaintext.sasl.enabled.mechanisms": SCRAM,
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": (
            f'{_SCRAM_MODULE} required username="admin" password="{admin}";'
        ),
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": (
            f'{_PLAIN_MODULE} required username="controller" password="{controller}" '
            f'user_controller="{controller}";'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": "User:admin;User:controller",
    }


def render_server_properties(node: NodeConfig, secure: SecureListeners | None = None) -> str:
    """Return a ``server.properties`` tuned for a fast local node (tests, demo).

    With ``secure``, clients must authenticate (SCRAM-SHA-512) and are authorised by ACLs.
    """
    lines = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": node.quorum_voters,
        "listeners": (
            f"PLAINTEXT://{node.host}:{node.port},CONTROLLER://{node.host}:{node.controller_port}"
        ),
        "advertised.listeners": f"PLAINTEXT://{node.host}:{node.port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(node.log_dir),
        "num.partitions": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",
        # replication, min ISR and fencing: the same values as the production manifests
        **node.replication_settings.broker_configs(),
        "auto.create.topics.enable": "false",
        "log.retention.check.interval.ms": "60000",
        "log.cleaner.backoff.ms": "1000",
    }
    if secure is not None:
        lines.update(_secure_lines(node, secure))
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def render_log4j2(log_file: Path) -> str:
    """Return a log4j2 configuration that writes broker logs to ``log_file``."""
    return "\n".join(
        [
            "status = warn",
            "appender.file.type = File",
            "appender.file.name = FILE",
            f"appender.file.fileName = {log_file}",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = FILE",
            "logger.kafka.name = kafka",
            "logger.kafka.level = WARN",
            "logger.org.name = org.apache.kafka",
            "logger.org.level = WARN",
            "logger.started.name = kafka.server.KafkaRaftServer",
            "logger.started.level = INFO",
            "logger.broker.name = kafka.server.BrokerServer",
            "logger.broker.level = INFO",
            "",
        ]
    )
