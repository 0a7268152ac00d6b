"""The AsyncAPI channels: one per declared topic, with its messages and Kafka binding.

Ingress and outbox topics get one channel per organisation rather than one parameterised
``kcr.ingress.{org}`` channel: each organisation's ingress accepts only the event types its
role may publish, each topic has its own ACL, and a partner generating a client from the
document finds its own two channels with exactly its own messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.asyncapi.errors import UndescribedTopic
from hub.asyncapi.messages import (
    DEADLETTER_MESSAGE,
    KAFKA_BINDING_VERSION,
    OWNERSHIP_RECORD_MESSAGE,
    SCHEMA_RECORD_MESSAGE,
    message_id,
)
from hub.contracts.events.catalogue import EVENT_TYPES, FAMILIES, types_of_family
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs import OUTPUT_TYPES, VIEW_MODELS
from hub.topics.declaration import VIEWS, TopicNames, TopicSpec, declared_topics

__all__ = [
    "OUTPUT_TOPICS",
    "ChannelPlan",
    "channel_object",
    "partner_ids",
    "plan_channels",
    "topic_configuration",
]

OUTPUT_TOPICS = {
    "escalation": "signals",
    "coordination": "coordination",
    "assistance": "coordination",
    "information": "coordination",
    "advice": "advice",
}
"""Output family → the hub topic it is written to (as ``hub.streams.outputs`` does); a family not
here (``ingress``: the gateway's notices of a refused record) goes only to outboxes."""


@dataclass(frozen=True)
class ChannelPlan:
    """What one channel stands for: its topic, kind, organisation and message ids."""

    spec: TopicSpec
    kind: str
    messages: tuple[str, ...]
    org: str | None = None
    readers: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The channel id: the topic name."""
        return self.spec.name


def partner_ids(registry: OrganisationRegistry) -> tuple[str, ...]:
    """Return the organisations with an ingress and an outbox: all but the hub's own."""
    return tuple(org for org in registry.ids() if registry.role_of(org).name != "hub")


def _outputs_to(topic: str) -> tuple[str, ...]:
    return tuple(t for t in OUTPUT_TYPES if OUTPUT_TOPICS.get(t.split(".")[2]) == topic)


def _hub_topics(names: TopicNames) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    views = {kind: tuple(message_id(m) for k, m in VIEW_MODELS.values() if k == kind)
             for kind in VIEWS}  # fmt: skip
    for family in FAMILIES:
        yield names.log(family), "log", types_of_family(family)
    yield names.deadletter, "deadletter", (DEADLETTER_MESSAGE,)
    yield names.ownership, "ownership", (OWNERSHIP_RECORD_MESSAGE,)
    for kind in VIEWS:
        yield names.view(kind), "view", views[kind]
    yield names.signals, "output", _outputs_to("signals")
    yield names.coordination, "output", _outputs_to("coordination")
    yield names.advice, "output", _outputs_to("advice")
    yield names.schemas, "schemas", (SCHEMA_RECORD_MESSAGE,)


def _outbox_messages() -> tuple[str, ...]:
    return (*OUTPUT_TYPES, *(message_id(model) for _, model in VIEW_MODELS.values()))


def _readers(default_name: str, registry: OrganisationRegistry) -> tuple[str, ...]:
    return tuple(
        org for org in partner_ids(registry) if registry.role_of(org).may_read(default_name)
    )


def plan_channels(registry: OrganisationRegistry, names: TopicNames) -> list[ChannelPlan]:
    """Return a plan for every declared topic, in declaration order.

    Raises :class:`UndescribedTopic` for a declared topic the generator cannot describe.
    Role read grants are fnmatch patterns over default-prefix names, so they are matched
    against the default-prefix name of each topic.
    """
    default = TopicNames()
    plans: dict[str, ChannelPlan] = {}
    for org in partner_ids(registry):
        allowed = tuple(t for t in EVENT_TYPES if registry.may_publish(org, t))
        ingress, outbox = names.ingress(org), names.outbox(org)
        plans[ingress] = ChannelPlan(_spec(ingress), "ingress", allowed, org)
        plans[outbox] = ChannelPlan(_spec(outbox), "outbox", _outbox_messages(), org)
    for (name, kind, messages), (plain, _, _) in zip(
        _hub_topics(names), _hub_topics(default), strict=True
    ):
        plans[name] = ChannelPlan(_spec(name), kind, messages, None, _readers(plain, registry))
    result: list[ChannelPlan] = []
    for spec in declared_topics(names):
        plan = plans.get(spec.name)
        if plan is None:
            raise UndescribedTopic(spec.name)
        result.append(ChannelPlan(spec, plan.kind, plan.messages, plan.org, plan.readers))
    return result


def _spec(name: str) -> TopicSpec:
    return TopicSpec(name, "")


def _number(value: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def topic_configuration(spec: TopicSpec) -> dict[str, Any]:
    """Return the topic's declared configs in the Kafka channel binding's form."""
    configs: dict[str, Any] = {key: _number(value) for key, value in spec.configs().items()}
    configs["cleanup.policy"] = spec.cleanup_policy.split(",")
    return configs


def _description(plan: ChannelPlan, registry: OrganisationRegistry) -> str:
    if plan.kind == "ingress" and plan.org:
        name = registry.get(plan.org).name
        return (f"Only {plan.org} ({name}) may write here; the gateway reads, checks and "
                "moves each record to the event log or the dead-letter topic.")  # fmt: skip
    if plan.kind == "outbox" and plan.org:
        name = registry.get(plan.org).name
        return (f"The hub's deliveries to {plan.org} ({name}), routed by address, subscription "
                f"and TLP; only {plan.org} may read it.")  # fmt: skip
    readers = ", ".join(plan.readers) if plan.readers else "no partner"
    return f"Written by the hub. Partners whose role grants reading it: {readers}."


def channel_object(plan: ChannelPlan, registry: OrganisationRegistry) -> dict[str, Any]:
    """Return the AsyncAPI channel object of ``plan``."""
    channel: dict[str, Any] = {
        "address": plan.spec.name,
        "title": plan.spec.name,
        "summary": plan.spec.purpose,
        "description": _description(plan, registry),
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in plan.messages},
        "bindings": {
            "kafka": {
                "topic": plan.spec.name,
                "partitions": plan.spec.partitions,
                "topicConfiguration": topic_configuration(plan.spec),
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-kcr-kind": plan.kind,
    }
    if plan.org:
        channel["x-kcr-organisation"] = plan.org
    if plan.readers:
        channel["x-kcr-readers"] = list(plan.readers)
    return channel
