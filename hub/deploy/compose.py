"""A production-like Docker Compose file: three KRaft nodes on SASL_SSL and the hub services.

Listeners of each node (all TLS, certificates from ``make-tls.sh``):

- ``SASL_SSL`` (9092): clients, SCRAM-SHA-512 only; each hub service logs in as its own user;
- ``BROKER`` (9094): inter-broker traffic and the operator, SASL PLAIN with the static ``admin``;
- ``CONTROLLER`` (9093): the KRaft quorum, SASL PLAIN with the static ``controller``.

The passwords are made once by the ``secrets`` one-shot (``kcr deploy secrets``) into a named
volume; the ``init`` one-shot then creates the SCRAM users, the topics and the ACLs.
"""

from __future__ import annotations

from typing import Any

from hub.broker.replication import PRODUCTION, PRODUCTION_NODES
from hub.deploy.kafka_env import to_env
from hub.deploy.plan import CLUSTER, HUB_IMAGE, HUB_SERVICES, KAFKA_IMAGE, HubService
from hub.deploy.plan import run_arguments as _run_arguments

__all__ = ["ENV_EXAMPLE", "NODES", "broker_configs", "compose_document", "env_example"]

NODES = tuple(f"kafka-{i}" for i in range(1, PRODUCTION_NODES + 1))
"""The hostnames of the nodes, which are also their certificates' names."""

_SECRETS = "/run/kcr"  # the secrets volume in hub containers
_BROKER_SECRETS = "/etc/kafka/kcr"  # the same volume in the brokers
_TLS = "/etc/kafka/secrets"  # the TLS material of make-tls.sh (the image's fixed place)
_PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule"
_SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule"

ENV_EXAMPLE: dict[str, tuple[str, str]] = {
    "KCR_CLUSTER_ID": ("MkU3OEVBNTcwNTJENDM2Qg", "KRaft cluster id: 22 characters, base64url "
                       "(make one with `kafka-storage.sh random-uuid`); never change it later"),
    "KCR_TLS_DIR": ("./tls", "the TLS material that make-tls.sh writes (mounted read-only)"),
    "KCR_KAFKA_HEAP": ("-Xms1g -Xmx1g", "heap of each Kafka node"),
    "KCR_BRIDGE_PUBLISHED_PORT": ("18080", "host port of the REST/webhook bridge"),
    "KCR_DASHBOARD_PUBLISHED_PORT": ("18090", "host port of the dashboard"),
}  # fmt: skip
"""Every variable ``compose.yaml`` uses, with its example value and meaning."""


def broker_configs(node_id: int) -> dict[str, str]:
    """``server.properties`` of node ``node_id`` (the JAAS passwords are added at start)."""
    host = NODES[node_id - 1]
    voters = ",".join(f"{i}@{name}:9093" for i, name in enumerate(NODES, start=1))
    return {
        "node.id": str(node_id),
        "process.roles": "broker,controller",
        "controller.quorum.voters": voters,
        "listeners": "SASL_SSL://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093,BROKER://0.0.0.0:9094",
        "advertised.listeners": f"SASL_SSL://{host}:9092,BROKER://{host}:9094",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "BROKER",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL,BROKER:SASL_SSL",
        "listener.name.sasl_ssl.sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": f"{_SCRAM} required;",
        "listener.name.broker.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN",
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "ssl.keystore.type": "PKCS12",
        "ssl.truststore.type": "PKCS12",
        "ssl.truststore.location": f"{_TLS}/truststore.p12",
        "ssl.client.auth": "none",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": "User:admin;User:controller",
        "log.dirs": "/var/lib/kafka/data",
        "auto.create.topics.enable": "false",
        **PRODUCTION.broker_configs(),
    }


def _broker_start() -> str:
    """The node's start script: passwords from the secret files, then the image's own start."""
    admin = f"$$(cat {_BROKER_SECRETS}/admin.password)"
    ctrl = f"$$(cat {_BROKER_SECRETS}/controller.password)"
    return "\n".join(
        [
            "set -eu",
            f'export KAFKA_SSL_TRUSTSTORE_PASSWORD="$$(cat {_TLS}/truststore.password)"',
            f'A="{admin}"; C="{ctrl}"',
            "export KAFKA_LISTENER_NAME_BROKER_PLAIN_SASL_JAAS_CONFIG="
            f'"{_PLAIN} required username=\\"admin\\" password=\\"$$A\\" user_admin=\\"$$A\\";"',
            "export KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG="
            f'"{_PLAIN} required username=\\"controller\\" password=\\"$$C\\" '
            f'user_controller=\\"$$C\\";"',
            # the health check's client login (the operator's, on the internal listener)
            "umask 077",
            "printf '%s\\n' 'security.protocol=SASL_SSL' 'sasl.mechanism=PLAIN' "
            f"'ssl.truststore.location={_TLS}/truststore.p12' 'ssl.truststore.type=PKCS12' "
            '"ssl.truststore.password=$$KAFKA_SSL_TRUSTSTORE_PASSWORD" '
            f'"sasl.jaas.config={_PLAIN} required username=\\"admin\\" password=\\"$$A\\";" '
            "> /tmp/admin.properties",
            "exec /etc/kafka/docker/run",
            "",
        ]
    )


def _broker(node_id: int) -> dict[str, Any]:
    host = NODES[node_id - 1]
    env = {
        **to_env(broker_configs(node_id)),
        "KAFKA_SSL_KEYSTORE_FILENAME": f"{host}.keystore.p12",
        "KAFKA_SSL_KEYSTORE_CREDENTIALS": "keystore.password",
        "KAFKA_SSL_KEY_CREDENTIALS": "keystore.password",
        "CLUSTER_ID": "${KCR_CLUSTER_ID:?set KCR_CLUSTER_ID in .env}",
        "KAFKA_HEAP_OPTS": "${KCR_KAFKA_HEAP:--Xms1g -Xmx1g}",
        # the image insists on KAFKA_OPTS with SASL; the JAAS configs are per listener instead
        "KAFKA_OPTS": "-Dkcr.jaas=per-listener",
    }
    probe = (
        f"/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server {host}:9094 "
        "--command-config /tmp/admin.properties > /dev/null"
    )
    return {
        "image": KAFKA_IMAGE,
        "hostname": host,
        "entrypoint": ["bash", "-c"],
        "command": [_broker_start()],
        "environment": env,
        "volumes": [
            f"{host}-data:/var/lib/kafka/data",
            "secrets:/etc/kafka/kcr:ro",
            "${KCR_TLS_DIR:-./tls}:/etc/kafka/secrets:ro",
        ],
        "depends_on": {"secrets": {"condition": "service_completed_successfully"}},
        "healthcheck": {"test": ["CMD-SHELL", probe], "interval": "15s", "timeout": "20s",
                        "retries": 20, "start_period": "60s"},
        "restart": "unless-stopped",
    }  # fmt: skip


def _hub_env(service: str) -> dict[str, str]:
    env = {
        "KCR_BOOTSTRAP": ",".join(f"{host}:9092" for host in NODES),
        "KCR_SECURITY_PROTOCOL": "SASL_SSL",
        "KCR_CREDENTIALS_FILE": f"{_SECRETS}/credentials.json",
        "KCR_REGISTRY_URL": "http://registry:18081",
        "KCR_DATA_DIR": "/var/lib/kcr",
        "KCR_BRIDGE_KEYS_FILE": "/var/lib/kcr-keys/bridge-keys.json",
        "SSL_CERT_FILE": "/etc/kcr/tls/ca.crt",  # the CA of make-tls.sh, for librdkafka and Python
    }
    if service == "init":  # the operator, on the internal PLAIN listener
        env["KCR_BOOTSTRAP"] = ",".join(f"{host}:9094" for host in NODES)
        env["KCR_SASL_MECHANISM"] = "PLAIN"
    if service == "registry":
        env["KCR_REGISTRY_URL"] = "http://0.0.0.0:18081"  # the registry binds to its URL's host
    if service in ("bridge", "dashboard"):
        env["KCR_BRIDGE_HOST"] = "0.0.0.0"  # noqa: S104 - a container listens on its address
    return env


def _hub_volumes(service: str) -> list[str]:
    volumes = [f"secrets:{_SECRETS}:ro", "${KCR_TLS_DIR:-./tls}:/etc/kcr/tls:ro"]
    if service in ("bridge", "dashboard"):
        volumes.append("bridge-keys:/var/lib/kcr-keys")
    return volumes


def _http_check(service: HubService) -> list[str]:
    url = f"http://127.0.0.1:{service.port}{service.health_path}"
    code = f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)"
    return ["CMD", "python", "-c", code]


def _hub_service(service: HubService, instance: str | None = None) -> dict[str, Any]:
    waits = {"init": {"condition": "service_completed_successfully"}}
    if service.name != "registry":
        waits["registry"] = {"condition": "service_healthy"}
    test = (
        _http_check(service)
        if service.port is not None
        else ["CMD", "python", "-c", "import os; os.kill(1, 0)"]  # no HTTP: alive is all it says
    )
    body: dict[str, Any] = {
        "build": {"context": "../..", "dockerfile": "deploy/compose/Dockerfile"},
        "image": HUB_IMAGE,
        "command": _run_arguments(service.name),
        "environment": _hub_env(service.name)
        | ({"KCR_GATEWAY_INSTANCE": instance} if instance else {}),
        "volumes": _hub_volumes(service.name),
        "depends_on": waits,
        "healthcheck": {"test": test, "interval": "15s", "timeout": "10s", "retries": 5,
                        "start_period": "60s"},
        "restart": "unless-stopped",
    }  # fmt: skip
    if service.replicas != 1 and not service.named_instances:
        body["deploy"] = {"replicas": service.replicas}
    if service.name in ("bridge", "dashboard"):
        published = f"KCR_{service.name.upper()}_PUBLISHED_PORT"
        body["ports"] = [f"${{{published}:-{service.port}}}:{service.port}"]
    return body


def _one_shots() -> dict[str, Any]:
    secrets = {
        "build": {"context": "../..", "dockerfile": "deploy/compose/Dockerfile"},
        "image": HUB_IMAGE,
        "command": ["deploy", "secrets", "--out", _SECRETS],
        "volumes": [f"secrets:{_SECRETS}"],
        "restart": "no",
    }
    init = {
        "image": HUB_IMAGE,
        "entrypoint": ["sh", "-c"],
        "command": [f"kcr deploy users --credentials {_SECRETS}/credentials.json"
                    " && kcr topics apply && kcr acl apply"],
        "environment": _hub_env("init"),
        "volumes": _hub_volumes("init"),
        "depends_on": {host: {"condition": "service_healthy"} for host in NODES},
        "restart": "no",
    }  # fmt: skip
    return {"secrets": secrets, "init": init}


def compose_document() -> dict[str, Any]:
    """The whole ``compose.yaml``."""
    services: dict[str, Any] = {host: _broker(i) for i, host in enumerate(NODES, start=1)}
    services |= _one_shots()
    for service in HUB_SERVICES:
        if service.named_instances:  # replicas share their environment: one service each
            services |= {name: _hub_service(service, name) for name in service.instance_names()}
        else:
            services[service.name] = _hub_service(service)
    volumes: dict[str, dict[str, Any]] = {f"{host}-data": {} for host in NODES}
    volumes |= {"secrets": {}, "bridge-keys": {}}
    return {"name": CLUSTER, "services": services, "volumes": volumes}


def env_example() -> str:
    """The text of ``.env.example``: every variable with a comment and an example value."""
    lines = ["# Variables of compose.yaml (copy to .env); written by `kcr deploy render compose`."]
    for name, (value, meaning) in ENV_EXAMPLE.items():
        lines += [f"# {meaning}", f"{name}={value}"]
    return "\n".join(lines) + "\n"
