"""Derived ACLs in the form of a Strimzi ``KafkaUser``'s ``spec.authorization`` and back.

Rules of one user on the same resource are merged into one entry with a sorted list of
operations; :func:`from_strimzi` reverses that, so tests can compare the manifests with
:func:`hub.security.acls.derive_acls` as sets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from hub.security.acls import AclRule

__all__ = ["from_strimzi", "strimzi_acls", "strimzi_authorization"]

_RESOURCE = {
    "TOPIC": "topic",
    "GROUP": "group",
    "TRANSACTIONAL_ID": "transactionalId",
    "CLUSTER": "cluster",
}
_PATTERN = {"LITERAL": "literal", "PREFIXED": "prefix"}
_CLUSTER_NAME = "kafka-cluster"


def _operation(op: str) -> str:
    """``IDEMPOTENT_WRITE`` -> ``IdempotentWrite`` (Strimzi spells operations in CamelCase)."""
    return "".join(part.capitalize() for part in op.split("_"))


def _upper(op: str) -> str:
    """``IdempotentWrite`` -> ``IDEMPOTENT_WRITE``."""
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(op)).upper()


def strimzi_acls(rules: Iterable[AclRule]) -> list[dict[str, Any]]:
    """The ``acls`` list of one user's rules, one entry per resource, in a stable order."""
    merged: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for rule in rules:
        merged[(rule.resource, rule.pattern, rule.name)].add(rule.operation)
    acls = []
    for (resource, pattern, name), operations in sorted(merged.items()):
        target: dict[str, Any] = {"type": _RESOURCE[resource]}
        if resource != "CLUSTER":
            target |= {"name": name, "patternType": _PATTERN[pattern]}
        acls.append(
            {
                "resource": target,
                "operations": sorted(_operation(op) for op in operations),
                "host": "*",
            }
        )
    return acls


def strimzi_authorization(rules: Iterable[AclRule]) -> dict[str, Any]:
    """A ``KafkaUser`` ``spec.authorization`` of type simple holding ``rules``."""
    return {"type": "simple", "acls": strimzi_acls(rules)}


def from_strimzi(user: str, acls: Iterable[Mapping[str, Any]]) -> frozenset[AclRule]:
    """The :class:`AclRule` set that a ``KafkaUser`` named ``user`` grants."""
    resources = {v: k for k, v in _RESOURCE.items()}
    patterns = {v: k for k, v in _PATTERN.items()}
    rules = set()
    for acl in acls:
        target = acl["resource"]
        resource = resources[target["type"]]
        pattern = patterns[target.get("patternType", "literal")]
        name = target.get("name", _CLUSTER_NAME)
        for op in acl["operations"]:
            rules.add(AclRule(f"User:{user}", resource, pattern, name, _upper(op)))
    return frozenset(rules)
