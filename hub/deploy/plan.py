"""What a deployment runs: the hub services, their replicas and ports, images and names.

Pure data shared by the Kubernetes and the Compose renderers.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.services import SERVICE_NAMES

__all__ = [
    "CLUSTER",
    "HUB_IMAGE",
    "HUB_SERVICES",
    "KAFKA_IMAGE",
    "KAFKA_VERSION",
    "HubService",
    "run_arguments",
]

KAFKA_VERSION = "4.0.0"
"""The Kafka release of the local jars (deploy/kafka/pom.xml) and of the manifests."""

KAFKA_IMAGE = f"apache/kafka:{KAFKA_VERSION}"
"""The official Apache Kafka image, pinned to the same release."""

HUB_IMAGE = "kcr-hub:0.1.0"
"""The hub's image, built from deploy/compose/Dockerfile (``pip install .``, entrypoint kcr)."""

CLUSTER = "kcr"
"""The Kafka cluster's name (Strimzi ``Kafka`` resource, Compose project)."""


@dataclass(frozen=True)
class HubService:
    """One ``kcr run`` service deployed on its own: how many copies and where it listens.

    ``port`` is the HTTP port of services that serve one (registry, bridge, dashboard); a
    service without it has no HTTP endpoint, so its health check can only see that it runs.
    """

    name: str
    replicas: int = 1
    port: int | None = None
    health_path: str = "/"
    named_instances: bool = False
    """Each replica needs a stable name of its own (``KCR_GATEWAY_INSTANCE``: the gateway's
    transactional id): a StatefulSet in Kubernetes, one Compose service per replica."""

    @property
    def singleton(self) -> bool:
        """At most one may run at any moment, also during an update (the clock, the worker)."""
        return self.replicas == 1 and self.name in _SINGLETONS

    def instance_names(self) -> list[str]:
        """The names of the replicas of a service with named instances (gateway-1, ...)."""
        return [f"{self.name}-{n}" for n in range(1, self.replicas + 1)]


_SINGLETONS = ("clock", "processors")


HUB_SERVICES = (
    HubService("registry", port=18081, health_path="/subjects"),
    # two gateways, each with its own transactional id; the ingress partitions are shared out
    HubService("gateway", replicas=2, named_instances=True),
    # one clock: its ticks are the hub's single time line
    HubService("clock"),
    # one processors worker: the projection is one state (one key of a one-partition table)
    # folded over every log partition in tick order; a second worker in the group would take
    # some log partitions away from it. Restarted in place, never two at once.
    HubService("processors"),
    HubService("bridge", port=18080, health_path="/openapi.json"),
    HubService("dashboard", port=18090, health_path="/"),
)
"""Every hub service of :data:`hub.services.SERVICE_NAMES`, in start order."""

assert tuple(s.name for s in HUB_SERVICES) == SERVICE_NAMES, "a hub service is not deployed"


def run_arguments(service: str) -> list[str]:
    """The ``kcr`` arguments that run ``service`` alone, in the container's own process."""
    return ["run", "--only", service]
