"""Make the broker's topics match the declaration: create what is missing, report what differs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from hub.errors import TopicMismatch
from hub.kafka.admin import (
    AdminClient,
    ConfigResource,
    KafkaError,
    KafkaException,
    NewTopic,
    admin_client,
)
from hub.topics.declaration import TopicSpec

__all__ = ["ApplyReport", "apply_topics", "default_replication", "delete_topics"]

_TIMEOUT = 30.0
_SETTLE_S = 60.0  # how long a fresh cluster may answer "unknown topic" for a topic it just made
# Answers a cluster gives while its metadata settles (a new topic, a broker just up): try again.
_TRANSIENT = frozenset(
    {
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.NOT_CONTROLLER,
        KafkaError.REQUEST_TIMED_OUT,
        KafkaError._TIMED_OUT,
        KafkaError._TRANSPORT,
    }
)


@dataclass
class ApplyReport:
    """What ``kcr topics apply`` did."""

    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    differences: dict[str, list[str]] = field(default_factory=dict)

    @property
    def in_sync(self) -> bool:
        """True when every declared topic exists as declared."""
        return not self.differences


def _admin(bootstrap: str, client_config: dict[str, str] | None) -> AdminClient:
    return admin_client(bootstrap, client_config)


def apply_topics(
    bootstrap: str, specs: Sequence[TopicSpec], client_config: dict[str, str] | None = None
) -> ApplyReport:
    """Create the missing topics of ``specs`` and compare the existing ones (idempotent).

    A cluster whose metadata is still settling (a topic created a moment ago and not yet known
    to every broker, a node just started) answers with transient errors such as
    ``UNKNOWN_TOPIC_OR_PART``; those are retried for up to a minute. A topic another client
    created in the meantime counts as existing.
    """
    deadline = time.monotonic() + _SETTLE_S
    while True:
        try:
            return _apply_once(_admin(bootstrap, client_config), specs)
        except KafkaException as error:
            if not _is_transient(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _is_transient(error: KafkaException) -> bool:
    """True for the errors a settling cluster gives, which go away when asked again."""
    (cause,) = error.args[:1] or (None,)
    if not isinstance(cause, KafkaError):
        return False
    return cause.code() in _TRANSIENT or bool(cause.retriable())


def _apply_once(admin: AdminClient, specs: Sequence[TopicSpec]) -> ApplyReport:
    existing = admin.list_topics(timeout=_TIMEOUT).topics
    report = ApplyReport()
    missing = [spec for spec in specs if spec.name not in existing]
    if missing:
        futures = admin.create_topics(
            [NewTopic(s.name, s.partitions, -1, config=s.configs()) for s in missing],
            operation_timeout=_TIMEOUT,
        )
        for name, future in futures.items():
            try:
                future.result()
            except KafkaException as error:
                if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
            report.created.append(name)
        _wait_for_leaders(admin, {spec.name: spec.partitions for spec in missing})
    present = [spec for spec in specs if spec.name in existing]
    for spec in present:
        diff = _compare(admin, spec, len(existing[spec.name].partitions))
        if diff:
            report.differences[spec.name] = diff
        else:
            report.unchanged.append(spec.name)
    return report


def _wait_for_leaders(
    admin: AdminClient, partitions: dict[str, int], timeout: float = _TIMEOUT
) -> None:
    """Wait until every partition of the new topics has a leader, so clients can use them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        topics = admin.list_topics(timeout=_TIMEOUT).topics
        ready = all(
            name in topics
            and not topics[name].error
            and len(topics[name].partitions) == count
            and all(p.leader >= 0 for p in topics[name].partitions.values())
            for name, count in partitions.items()
        )
        if ready:
            return
        time.sleep(0.1)
    raise TopicMismatch(", ".join(partitions), [f"no partition leader after {timeout:.0f} s"])


def _compare(admin: AdminClient, spec: TopicSpec, partitions: int) -> list[str]:
    diff = []
    if partitions != spec.partitions:
        diff.append(f"partitions is {partitions}, declared {spec.partitions}")
    resource = ConfigResource(ConfigResource.Type.TOPIC, spec.name)
    actual = admin.describe_configs([resource])[resource].result(timeout=_TIMEOUT)
    for key, wanted in spec.configs().items():
        have = actual[key].value if key in actual else None
        if have != wanted:
            diff.append(f"{key} is {have}, declared {wanted}")
    return diff


def default_replication(bootstrap: str, client_config: dict[str, str] | None = None) -> int:
    """The cluster's ``default.replication.factor``: what the declared topics are created with.

    Topics a client creates itself (the processors' changelog) must use it too: with fewer
    replicas than the cluster's ``min.insync.replicas`` no ``acks=all`` write succeeds. A login
    that may not read broker configs gets one replica per broker, at most three.
    """
    admin = _admin(bootstrap, client_config)
    brokers = admin.list_topics(timeout=_TIMEOUT).brokers
    resource = ConfigResource(ConfigResource.Type.BROKER, str(min(brokers)))
    try:
        configs = admin.describe_configs([resource])[resource].result(timeout=_TIMEOUT)
    except KafkaException:
        return min(3, len(brokers))
    return int(configs["default.replication.factor"].value)


def delete_topics(
    bootstrap: str, names: Sequence[str], client_config: dict[str, str] | None = None
) -> None:
    """Delete ``names`` (tests and tooling; never called by the hub's services)."""
    admin = _admin(bootstrap, client_config)
    for future in admin.delete_topics(list(names), operation_timeout=_TIMEOUT).values():
        future.result()
