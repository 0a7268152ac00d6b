"""Topics as code: one declaration of every hub topic, and an idempotent apply."""

from hub.topics.declaration import (
    DEADLETTER,
    FOREVER,
    TopicNames,
    TopicSpec,
    declared_topics,
    hub_topics,
    ingress_topic,
    log_topic,
    outbox_topic,
)

__all__ = [
    "DEADLETTER",
    "FOREVER",
    "TopicNames",
    "TopicSpec",
    "declared_topics",
    "hub_topics",
    "ingress_topic",
    "log_topic",
    "outbox_topic",
]
