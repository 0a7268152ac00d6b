"""The single declaration of the hub's topics: names, partitions, cleanup and retention.

Pure data and functions: ``kcr topics apply``, the tests, the ACLs and the deployment manifests
all derive from :func:`hub_topics`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "DEADLETTER",
    "FOREVER",
    "SCHEMAS",
    "TopicSpec",
    "declared_topics",
    "hub_topics",
    "ingress_topic",
    "log_topic",
    "outbox_topic",
]

FOREVER = -1
_DAY_MS = 24 * 3600 * 1000

DEADLETTER = "kcr.deadletter"
SCHEMAS = "_kcr_schemas"
VIEW_TOPICS = ("kcr.view.situation", "kcr.view.capacity", "kcr.view.scenarios")
OUTPUT_TOPICS = ("kcr.signal.escalation", "kcr.coordination", "kcr.advice")


def ingress_topic(org_id: str) -> str:
    """The topic only ``org_id`` may write to."""
    return f"kcr.ingress.{org_id}"


def log_topic(family: str) -> str:
    """The event-store topic of one event family."""
    return f"kcr.log.{family}"


def outbox_topic(org_id: str) -> str:
    """The topic the hub delivers to ``org_id`` through."""
    return f"kcr.outbox.{org_id}"


@dataclass(frozen=True)
class TopicSpec:
    """How one topic must look on the broker."""

    name: str
    purpose: str
    partitions: int = 1
    cleanup_policy: str = "delete"
    retention_ms: int = FOREVER
    extra: dict[str, str] = field(default_factory=dict)

    def configs(self) -> dict[str, str]:
        """The topic-level configs that :func:`hub.topics.admin.apply_topics` sets and checks."""
        configs = {"cleanup.policy": self.cleanup_policy, **self.extra}
        if self.cleanup_policy == "delete":
            configs["retention.ms"] = str(self.retention_ms)
            if self.retention_ms == FOREVER:
                configs["retention.bytes"] = "-1"
        return configs


def hub_topics(org_ids: Iterable[str], families: Iterable[str]) -> list[TopicSpec]:
    """Return every topic of a hub serving ``org_ids`` with the event ``families``."""
    orgs = sorted(set(org_ids))
    specs = [
        TopicSpec(ingress_topic(org), f"events published by {org}", retention_ms=7 * _DAY_MS)
        for org in orgs
    ]
    specs += [
        TopicSpec(log_topic(family), f"event store of the {family} family, kept forever")
        for family in sorted(set(families))
    ]
    specs.append(TopicSpec(DEADLETTER, "every rejected record with its reason, kept forever"))
    specs += [
        TopicSpec(name, "national view, compacted per key", cleanup_policy="compact",
                  extra={"min.cleanable.dirty.ratio": "0.1", "segment.ms": str(_DAY_MS)})
        for name in VIEW_TOPICS
    ]  # fmt: skip
    specs += [TopicSpec(name, "hub decisions, kept forever") for name in OUTPUT_TOPICS]
    specs += [
        TopicSpec(outbox_topic(org), f"deliveries to {org}", retention_ms=30 * _DAY_MS)
        for org in orgs
    ]
    specs.append(TopicSpec(SCHEMAS, "schema registry storage", cleanup_policy="compact"))
    return specs


def declared_topics() -> list[TopicSpec]:
    """The hub's topics for the organisations and families of the shipped registry."""
    from hub.contracts.events.catalogue import FAMILIES
    from hub.contracts.organisations import load_registry

    registry = load_registry()
    partners = [org for org in registry.ids() if registry.role_of(org) != "hub"]
    return hub_topics(partners, FAMILIES)
