"""Strimzi custom resources and the hub's Deployments and Services, as Kubernetes documents.

The cluster is one ``Kafka`` with one ``KafkaNodePool`` of three combined broker+controller
nodes (KRaft), a TLS listener that takes SCRAM-SHA-512 logins, and simple authorization. Every
declared topic is a ``KafkaTopic``, every user a ``KafkaUser`` whose password Strimzi takes from
the Secret ``kcr-scram-passwords`` (``kcr deploy secrets`` writes one file per user for it).
"""

from __future__ import annotations

from typing import Any

from hub.broker.replication import PRODUCTION, PRODUCTION_NODES
from hub.deploy.plan import CLUSTER, HUB_IMAGE, HUB_SERVICES, KAFKA_VERSION, HubService
from hub.deploy.plan import run_arguments as _run_arguments
from hub.deploy.strimzi_acls import strimzi_authorization
from hub.deploy.users import DeployedUser
from hub.topics.declaration import TopicSpec

__all__ = [
    "BOOTSTRAP",
    "PASSWORDS_SECRET",
    "hub_documents",
    "kafka_config",
    "kafka_documents",
    "topic_documents",
    "user_documents",
]

_STRIMZI = "kafka.strimzi.io/v1beta2"
_LABELS = {"strimzi.io/cluster": CLUSTER}
BOOTSTRAP = f"{CLUSTER}-kafka-bootstrap:9093"
"""The TLS listener's bootstrap Service that Strimzi creates."""
PASSWORDS_SECRET = "kcr-scram-passwords"  # noqa: S105 - a Secret's name, not a password
"""The Secret with one key per user holding its password (from ``kcr deploy secrets``)."""
_CREDENTIALS_SECRET = "kcr-credentials"  # noqa: S105 - a Secret's name
_CA_SECRET = f"{CLUSTER}-cluster-ca-cert"


def kafka_config() -> dict[str, str]:
    """``spec.kafka.config``: the production replication settings, no automatic topics."""
    return {**PRODUCTION.broker_configs(), "auto.create.topics.enable": "false"}


def kafka_documents() -> list[dict[str, Any]]:
    """The ``KafkaNodePool`` and the ``Kafka`` cluster."""
    pool = {
        "apiVersion": _STRIMZI,
        "kind": "KafkaNodePool",
        "metadata": {"name": "combined", "labels": dict(_LABELS)},
        "spec": {
            "replicas": PRODUCTION_NODES,
            "roles": ["controller", "broker"],
            "storage": {
                "type": "jbod",
                "volumes": [
                    {"id": 0, "type": "persistent-claim", "size": "100Gi",
                     "deleteClaim": False, "kraftMetadata": "shared"}
                ],
            },
        },
    }  # fmt: skip
    kafka = {
        "apiVersion": _STRIMZI,
        "kind": "Kafka",
        "metadata": {
            "name": CLUSTER,
            "annotations": {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"},
        },
        "spec": {
            "kafka": {
                "version": KAFKA_VERSION,
                "listeners": [
                    {"name": "tls", "port": 9093, "type": "internal", "tls": True,
                     "authentication": {"type": "scram-sha-512"}}
                ],
                "authorization": {"type": "simple", "superUsers": ["admin"]},
                "config": kafka_config(),
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }  # fmt: skip
    return [pool, kafka]


def _resource_name(topic: str) -> str:
    """A Kubernetes name for ``topic`` (no underscores; ``_kcr_schemas`` -> ``kcr-schemas``)."""
    return topic.strip("_").replace("_", "-")


def topic_documents(specs: list[TopicSpec]) -> list[dict[str, Any]]:
    """One ``KafkaTopic`` per declared topic, with its partitions, replicas and configs."""
    return [
        {
            "apiVersion": _STRIMZI,
            "kind": "KafkaTopic",
            "metadata": {"name": _resource_name(spec.name), "labels": dict(_LABELS)},
            "spec": {
                "topicName": spec.name,
                "partitions": spec.partitions,
                "replicas": PRODUCTION.factor,
                "config": spec.configs(),
            },
        }
        for spec in specs
    ]


def user_documents(users: list[DeployedUser]) -> list[dict[str, Any]]:
    """One ``KafkaUser`` per user; all but the super user carry their derived ACLs."""
    documents = []
    for user in users:
        password = {"valueFrom": {"secretKeyRef": {"name": PASSWORDS_SECRET, "key": user.name}}}
        spec: dict[str, Any] = {"authentication": {"type": "scram-sha-512", "password": password}}
        if not user.is_super_user:
            spec["authorization"] = strimzi_authorization(user.acls)
        documents.append(
            {
                "apiVersion": _STRIMZI,
                "kind": "KafkaUser",
                "metadata": {"name": user.name, "labels": dict(_LABELS)},
                "spec": spec,
            }
        )
    return documents


def _env(service: HubService) -> list[dict[str, Any]]:
    env = {
        "KCR_BOOTSTRAP": BOOTSTRAP,
        "KCR_SECURITY_PROTOCOL": "SASL_SSL",
        "KCR_CREDENTIALS_FILE": "/etc/kcr/credentials/credentials.json",
        "KCR_REGISTRY_URL": "http://kcr-registry:18081",
        "KCR_DATA_DIR": "/var/lib/kcr",
        "KCR_BRIDGE_KEYS_FILE": "/etc/kcr/bridge/bridge-keys.json",
        "SSL_CERT_FILE": "/etc/kcr/ca/ca.crt",  # the cluster CA, for librdkafka and Python
    }
    if service.name == "registry":
        env["KCR_REGISTRY_URL"] = "http://0.0.0.0:18081"  # the registry binds to its host
    if service.name in ("bridge", "dashboard"):
        env["KCR_BRIDGE_HOST"] = "0.0.0.0"  # noqa: S104 - a pod listens on its pod address
    listed: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in env.items()]
    if service.named_instances:  # the StatefulSet pod's stable name (kcr-gateway-0, -1)
        pod_name = {"fieldRef": {"fieldPath": "metadata.name"}}
        listed.append({"name": "KCR_GATEWAY_INSTANCE", "valueFrom": pod_name})
    return listed


def _probe(service: HubService) -> dict[str, Any]:
    if service.port is not None:
        return {"httpGet": {"path": service.health_path, "port": service.port},
                "periodSeconds": 10, "failureThreshold": 6}  # fmt: skip
    # no HTTP endpoint: the probe can only see that the kcr process is alive
    return {"exec": {"command": ["python", "-c", "import os; os.kill(1, 0)"]}, "periodSeconds": 30}


def _volumes() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    mounts: list[dict[str, Any]] = [
        {"name": "credentials", "mountPath": "/etc/kcr/credentials", "readOnly": True},
        {"name": "cluster-ca", "mountPath": "/etc/kcr/ca", "readOnly": True},
        {"name": "bridge-keys", "mountPath": "/etc/kcr/bridge", "readOnly": True},
        {"name": "data", "mountPath": "/var/lib/kcr"},
    ]
    volumes: list[dict[str, Any]] = [
        {"name": "credentials", "secret": {"secretName": _CREDENTIALS_SECRET}},
        {"name": "cluster-ca", "secret": {"secretName": _CA_SECRET}},
        {"name": "bridge-keys", "secret": {"secretName": "kcr-bridge-keys", "optional": True}},
        {"name": "data", "emptyDir": {}},
    ]
    return mounts, volumes


def _deployment(service: HubService) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": f"kcr-{service.name}", "app.kubernetes.io/part-of": "kcr"}
    mounts, volumes = _volumes()
    container: dict[str, Any] = {
        "name": service.name,
        "image": HUB_IMAGE,
        "args": _run_arguments(service.name),
        "env": _env(service),
        "volumeMounts": mounts,
        "readinessProbe": _probe(service),
        "livenessProbe": _probe(service),
    }
    if service.port is not None:
        container["ports"] = [{"name": "http", "containerPort": service.port}]
    spec: dict[str, Any] = {
        "replicas": service.replicas,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [container], "volumes": volumes},
        },
    }
    kind = "Deployment"
    if service.named_instances:  # stable pod names: each gateway keeps its transactional id
        kind, spec["serviceName"] = "StatefulSet", f"kcr-{service.name}"
        spec["podManagementPolicy"] = "Parallel"
    elif service.singleton:  # stop the old pod before the new one starts: never two at once
        spec["strategy"] = {"type": "Recreate"}
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": f"kcr-{service.name}", "labels": labels},
        "spec": spec,
    }


def _service(service: HubService, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"kcr-{service.name}"},
        "spec": {
            "selector": {"app.kubernetes.io/name": f"kcr-{service.name}"},
            "ports": [{"name": "http", "port": port, "targetPort": port}],
        },
    }


def _headless_service(service: HubService) -> dict[str, Any]:
    """The governing Service a StatefulSet needs (no ports, no cluster IP)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"kcr-{service.name}"},
        "spec": {
            "clusterIP": "None",
            "selector": {"app.kubernetes.io/name": f"kcr-{service.name}"},
        },
    }


def hub_documents() -> list[dict[str, Any]]:
    """A Deployment (StatefulSet for the gateway) per hub service, Services where needed."""
    documents = []
    for service in HUB_SERVICES:
        documents.append(_deployment(service))
        if service.port is not None:
            documents.append(_service(service, service.port))
        elif service.named_instances:
            documents.append(_headless_service(service))
    return documents
