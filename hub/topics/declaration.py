"""The single declaration of the hub's topics: names, partitions, cleanup and retention.

Pure data and functions: ``kcr topics apply``, the tests, the ACLs and the deployment manifests
all derive from :func:`hub_topics`. Every name starts with a prefix (``kcr`` unless
``KCR_TOPIC_PREFIX`` says otherwise), so tests can run a whole hub on topics of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "DEADLETTER",
    "FOREVER",
    "SCHEMAS",
    "TopicNames",
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
VIEWS = ("situation", "capacity", "scenarios")


@dataclass(frozen=True)
class TopicNames:
    """The names of a hub's topics, all below one prefix (default ``kcr``)."""

    prefix: str = "kcr"

    def ingress(self, org_id: str) -> str:
        """The topic only ``org_id`` may write to."""
        return f"{self.prefix}.ingress.{org_id}"

    def log(self, family: str) -> str:
        """The event-store topic of one event family."""
        return f"{self.prefix}.log.{family}"

    def outbox(self, org_id: str) -> str:
        """The topic the hub delivers to ``org_id`` through."""
        return f"{self.prefix}.outbox.{org_id}"

    def view(self, name: str) -> str:
        """A compacted national view topic (situation, capacity, scenarios)."""
        return f"{self.prefix}.view.{name}"

    @property
    def deadletter(self) -> str:
        """Every rejected record with its reason."""
        return f"{self.prefix}.deadletter"

    @property
    def ownership(self) -> str:
        """The gateway's compacted store of aggregate owners, keyed by aggregate."""
        return f"{self.prefix}.ownership"

    @property
    def signals(self) -> str:
        """Escalation signals."""
        return f"{self.prefix}.signal.escalation"

    @property
    def coordination(self) -> str:
        """Coordination requests the hub sends."""
        return f"{self.prefix}.coordination"

    @property
    def advice(self) -> str:
        """Drafted and validated advice."""
        return f"{self.prefix}.advice"

    @property
    def schemas(self) -> str:
        """The schema registry's storage topic (``_kcr_schemas`` for the default prefix)."""
        return f"_{self.prefix}_schemas"

    @property
    def ingress_pattern(self) -> str:
        """A regular expression matching every ingress topic."""
        return "^" + self.prefix.replace(".", r"\.") + r"\.ingress\.[a-z][a-z0-9-]*$"

    def org_of_ingress(self, topic: str) -> str | None:
        """Return the organisation owning ingress ``topic``, or None for another topic."""
        head = f"{self.prefix}.ingress."
        return topic[len(head) :] if topic.startswith(head) else None


DEFAULT_NAMES = TopicNames()


def ingress_topic(org_id: str) -> str:
    """The default-prefix ingress topic of ``org_id``."""
    return DEFAULT_NAMES.ingress(org_id)


def log_topic(family: str) -> str:
    """The default-prefix log topic of ``family``."""
    return DEFAULT_NAMES.log(family)


def outbox_topic(org_id: str) -> str:
    """The default-prefix outbox topic of ``org_id``."""
    return DEFAULT_NAMES.outbox(org_id)


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


def hub_topics(
    org_ids: Iterable[str], families: Iterable[str], names: TopicNames = DEFAULT_NAMES
) -> list[TopicSpec]:
    """Return every topic of a hub serving ``org_ids`` with the event ``families``."""
    orgs = sorted(set(org_ids))
    specs = [
        TopicSpec(names.ingress(org), f"events published by {org}", retention_ms=7 * _DAY_MS)
        for org in orgs
    ]
    specs += [
        TopicSpec(names.log(family), f"event store of the {family} family, kept forever")
        for family in sorted(set(families))
    ]
    specs.append(TopicSpec(names.deadletter, "every rejected record with its reason, forever"))
    specs.append(
        TopicSpec(names.ownership, "owner of every live aggregate, compacted per aggregate",
                  cleanup_policy="compact",
                  extra={"min.cleanable.dirty.ratio": "0.1", "segment.ms": str(_DAY_MS)})
    )  # fmt: skip
    specs += [
        TopicSpec(names.view(view), f"national {view} view, compacted per key",
                  cleanup_policy="compact",
                  extra={"min.cleanable.dirty.ratio": "0.1", "segment.ms": str(_DAY_MS)})
        for view in VIEWS
    ]  # fmt: skip
    specs += [
        TopicSpec(name, "hub decisions, kept forever")
        for name in (names.signals, names.coordination, names.advice)
    ]
    specs += [
        TopicSpec(names.outbox(org), f"deliveries to {org}", retention_ms=30 * _DAY_MS)
        for org in orgs
    ]
    return specs


def declared_topics(names: TopicNames = DEFAULT_NAMES) -> list[TopicSpec]:
    """The hub's topics for the shipped organisation registry, plus the registry's own topic."""
    from hub.contracts.events.catalogue import FAMILIES
    from hub.contracts.organisations import load_registry

    registry = load_registry()
    partners = [org for org in registry.ids() if registry.role_of(org).name != "hub"]
    schemas = TopicSpec(names.schemas, "schema registry storage", cleanup_policy="compact")
    return [*hub_topics(partners, FAMILIES, names), schemas]
