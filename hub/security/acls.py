"""Every ACL of a secure hub, derived from the organisation registry, the roles and the topics.

Pure: no Kafka client here (``hub.security.admin`` does the I/O). The derivation grants

- each organisation WRITE on its own ingress, READ on its own outbox, its own consumer groups
  (``<prefix>.connector.<org>`` and ``<prefix>.connector.<org>.*``) and the topics its role's
  ``read`` patterns name (national centres: views, signals, coordination, advice; analysts:
  the log);
- each hub service what its code uses (see :func:`service_acls`); ``admin`` is a super user and
  gets none. Nothing else: the broker denies whatever no ACL allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hub.contracts.organisations import OrganisationRegistry
from hub.security.credentials import organisation_users
from hub.topics.declaration import TopicNames

__all__ = ["AclPlan", "AclRule", "derive_acls", "is_managed", "plan_acls", "role_read_rules"]

_LITERAL, _PREFIXED = "LITERAL", "PREFIXED"
_CLUSTER = "kafka-cluster"


@dataclass(frozen=True, order=True)
class AclRule:
    """One ALLOW binding: ``principal`` may ``operation`` on a resource (any host)."""

    principal: str
    resource: str  # TOPIC, GROUP, TRANSACTIONAL_ID
    pattern: str  # LITERAL or PREFIXED
    name: str
    operation: str  # READ, WRITE, DESCRIBE, CREATE

    def describe(self) -> str:
        """One line for the plan: ``User:vr07 WRITE TOPIC kcr.ingress.vr07``."""
        star = "*" if self.pattern == _PREFIXED else ""
        return f"{self.principal} {self.operation} {self.resource} {self.name}{star}"


def _grant(user: str, resource: str, pattern: str, name: str, *ops: str) -> list[AclRule]:
    return [AclRule(f"User:{user}", resource, pattern, name, op) for op in ops]


def _topic_pattern(pattern: str, names: TopicNames) -> tuple[str, str]:
    """Translate a roles.json read pattern (``kcr.view.*``) into a resource pattern."""
    name = names.prefix + pattern[len("kcr") :] if pattern.startswith("kcr.") else pattern
    if name.endswith("*") and not any(c in name[:-1] for c in "*?["):
        return _PREFIXED, name[:-1]
    if any(c in name for c in "*?["):
        msg = f"read pattern {pattern!r} is neither a topic name nor a prefix ending in '*'"
        raise ValueError(msg)
    return _LITERAL, name


def role_read_rules(user: str, patterns: Iterable[str], names: TopicNames) -> list[AclRule]:
    """READ and DESCRIBE on every topic a role's ``read`` patterns name."""
    rules: list[AclRule] = []
    for pattern in patterns:
        kind, name = _topic_pattern(pattern, names)
        rules += _grant(user, "TOPIC", kind, name, "READ", "DESCRIBE")
    return rules


def _organisation_acls(
    org: str, registry: OrganisationRegistry, names: TopicNames
) -> list[AclRule]:
    group = f"{names.prefix}.connector.{org}"
    return [
        *_grant(org, "TOPIC", _LITERAL, names.ingress(org), "WRITE", "DESCRIBE"),
        *_grant(org, "TOPIC", _LITERAL, names.outbox(org), "READ", "DESCRIBE"),
        *_grant(org, "GROUP", _LITERAL, group, "READ"),
        *_grant(org, "GROUP", _PREFIXED, group + ".", "READ"),
        *role_read_rules(org, registry.role_of(org).read, names),
    ]


def _outputs(user: str, names: TopicNames, *ops: str) -> list[AclRule]:
    rules = _grant(user, "TOPIC", _PREFIXED, f"{names.prefix}.view.", *ops)
    for topic in (names.signals, names.coordination, names.advice):
        rules += _grant(user, "TOPIC", _LITERAL, topic, *ops)
    return rules


def service_acls(names: TopicNames) -> list[AclRule]:
    """What each hub service's Kafka clients use, and nothing more."""
    p = names.prefix
    ingress, log, outbox = f"{p}.ingress.", f"{p}.log.", f"{p}.outbox."
    rw = ("READ", "WRITE", "DESCRIBE")
    return [
        # gateway: ingress in, log, dead letters and notices out, transactions, its group
        *_grant("gateway", "TOPIC", _PREFIXED, ingress, "READ", "DESCRIBE"),
        *_grant("gateway", "TOPIC", _PREFIXED, log, *rw),  # reads the log to rebuild dedupe
        *_grant("gateway", "TOPIC", _LITERAL, names.deadletter, "WRITE", "DESCRIBE"),
        *_grant("gateway", "TOPIC", _PREFIXED, outbox, "WRITE", "DESCRIBE"),  # refusal notices
        *_grant("gateway", "TOPIC", _LITERAL, names.ownership, *rw),  # owners, rebuilt on start
        *_grant("gateway", "GROUP", _LITERAL, f"{p}-gateway", "READ"),
        *_grant("gateway", "TRANSACTIONAL_ID", _PREFIXED, f"{p}-gateway-", "WRITE", "DESCRIBE"),
        # processors (Faust app <prefix>-processors): log in, outputs and outboxes out
        *_grant("processors", "TOPIC", _PREFIXED, log, "READ", "DESCRIBE"),
        *_outputs("processors", names, "WRITE", "DESCRIBE"),
        *_grant("processors", "TOPIC", _PREFIXED, outbox, "WRITE", "DESCRIBE"),
        *_grant("processors", "GROUP", _LITERAL, f"{p}-processors", "READ"),
        *_grant("processors", "GROUP", _LITERAL, f"{p}-processors-log", "READ"),  # lag only
        # its changelog and assignor topics, which Faust declares itself
        *_grant("processors", "TOPIC", _PREFIXED, f"{p}-processors-", "CREATE", *rw),
        # clock: follows the log, appends ticks
        *_grant("clock", "TOPIC", _PREFIXED, log, "READ", "DESCRIBE"),
        *_grant("clock", "TOPIC", _LITERAL, names.log("clock"), "WRITE"),
        # schema registry: its storage topic only
        *_grant("registry", "TOPIC", _LITERAL, names.schemas, *rw),
        # bridge: publishes for organisations it authenticated, streams outboxes, webhooks
        *_grant("bridge", "TOPIC", _PREFIXED, ingress, "WRITE", "DESCRIBE"),
        *_grant("bridge", "TOPIC", _PREFIXED, outbox, "READ", "DESCRIBE"),
        *_grant("bridge", "TOPIC", _LITERAL, names.deadletter, "WRITE", "DESCRIBE"),
        *_grant("bridge", "GROUP", _PREFIXED, f"{p}-bridge-", "READ"),
        # dashboard: shows each signed-in organisation its own outbox (read without a group)
        # and publishes the NCC's and LOCC's advice validations to their ingress
        *_grant("dashboard", "TOPIC", _PREFIXED, outbox, "READ", "DESCRIBE"),
        *_grant("dashboard", "TOPIC", _PREFIXED, ingress, "WRITE", "DESCRIBE"),
    ]


_IDEMPOTENT = ("bridge", "clock", "dashboard", "gateway", "processors", "registry")


def _idempotent_producers(users: Iterable[str]) -> list[AclRule]:
    """IDEMPOTENT_WRITE on the cluster, which grants no topic access.

    Kafka 4.0 refused an idempotent producer's id without it on the real broker, though the
    producer had WRITE on a literal topic (ClusterAuthorizationFailed on InitProducerId).
    """
    return [AclRule(f"User:{u}", "CLUSTER", _LITERAL, _CLUSTER, "IDEMPOTENT_WRITE") for u in users]


def derive_acls(registry: OrganisationRegistry, names: TopicNames) -> frozenset[AclRule]:
    """Every ACL the hub with topics ``names`` and organisations ``registry`` needs."""
    rules = service_acls(names)
    orgs = organisation_users(registry)
    for org in orgs:
        rules += _organisation_acls(org, registry, names)
    rules += _idempotent_producers((*_IDEMPOTENT, *orgs))
    return frozenset(rules)


def _managed_prefixes(names: TopicNames) -> tuple[str, ...]:
    p = names.prefix
    parts = ("ingress.", "outbox.", "log.", "view.", "signal.", "connector.")
    dotted = tuple(f"{p}.{part}" for part in parts)
    singles = (names.deadletter, names.ownership, names.coordination, names.advice, names.schemas)
    dashed = tuple(f"{p}-{part}" for part in ("gateway", "processors", "bridge-", "dashboard"))
    return (*dotted, *singles, *dashed)


def is_managed(rule: AclRule, names: TopicNames) -> bool:
    """Whether ``rule`` is on a resource of this hub, so that ``kcr acl apply`` owns it.

    ACLs of other prefixes (other hubs on the same broker) and on other resources are left alone;
    cluster IDEMPOTENT_WRITE grants are shared by every prefix (the users are the same).
    """
    if rule.resource == "CLUSTER":
        return rule.operation == "IDEMPOTENT_WRITE"
    return rule.name.startswith(_managed_prefixes(names))


@dataclass(frozen=True)
class AclPlan:
    """What ``kcr acl apply`` creates and deletes; ``unchanged`` counts the rest."""

    create: tuple[AclRule, ...]
    delete: tuple[AclRule, ...]
    unchanged: int

    @property
    def empty(self) -> bool:
        """Whether the broker already holds exactly the derived ACLs."""
        return not self.create and not self.delete


def plan_acls(current: Iterable[AclRule], desired: Iterable[AclRule], names: TopicNames) -> AclPlan:
    """The diff from the broker's ``current`` ACLs to the ``desired`` ones (managed ones only)."""
    have = {rule for rule in current if is_managed(rule, names)}
    want = set(desired)
    return AclPlan(
        create=tuple(sorted(want - have)),
        delete=tuple(sorted(have - want)),
        unchanged=len(want & have),
    )
