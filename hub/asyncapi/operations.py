"""The AsyncAPI operations: what each partner sends and receives, and what the hub does.

A partner sends on its own ingress and receives on its own outbox, plus the topics its role
grants reading. The hub's services receive every ingress (gateway), send the log and the
dead letters (gateway; the clock service its ticks), receive the log (processors, clock) and
send the views, outputs and outbox deliveries (processors); the registry keeps its topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.asyncapi.channels import ChannelPlan, partner_ids
from hub.contracts.organisations import OrganisationRegistry

__all__ = ["operation_objects"]

_HUB_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "ingress": (("receive", "the gateway reads, validates, authorises and de-duplicates"),),
    "log": (
        ("send", "the gateway appends accepted events (the clock service its ticks)"),
        ("receive", "the processors and the clock service follow the log"),
    ),
    "deadletter": (("send", "the gateway writes every rejected record with its reason"),),
    "view": (("send", "the processors publish the latest view per key"),),
    "output": (("send", "the processors publish the hub's decisions"),),
    "outbox": (("send", "the router delivers outputs routed to this organisation"),),
    "ownership": (
        ("send", "the gateway records who created each aggregate, with the event"),
        ("receive", "the gateway rebuilds its ownership book on start"),
    ),
    "schemas": (
        ("send", "the schema registry stores schemas"),
        ("receive", "the schema registry rebuilds its state on start"),
    ),
}


def _operation(action: str, plan: ChannelPlan, summary: str) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{plan.id}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{plan.id}/messages/{m}"} for m in plan.messages],
    }


def _partner_operations(
    plans: list[ChannelPlan], registry: OrganisationRegistry
) -> Iterator[tuple[str, dict[str, Any]]]:
    by_org = {(p.kind, p.org): p for p in plans if p.org}
    for org in partner_ids(registry):
        role = registry.role_of(org).name
        tags = [{"name": f"role:{role}"}, {"name": f"org:{org}"}]
        own = [
            ("send", by_org["ingress", org], f"{org} publishes its events"),
            ("receive", by_org["outbox", org], f"{org} reads what the hub delivers to it"),
        ]
        granted = [
            ("receive", p, f"{org} reads {p.id} (granted to role {role})")
            for p in plans
            if org in p.readers
        ]
        for action, plan, summary in (*own, *granted):
            operation = _operation(action, plan, summary)
            operation["tags"] = tags
            operation["x-kcr-organisation"] = org
            yield f"{org}.{action}.{plan.id}", operation


def _hub_operations(plans: list[ChannelPlan]) -> Iterator[tuple[str, dict[str, Any]]]:
    for plan in plans:
        for action, summary in _HUB_ACTIONS[plan.kind]:
            operation = _operation(action, plan, f"hub: {summary}")
            operation["tags"] = [{"name": "hub"}]
            yield f"hub.{action}.{plan.id}", operation


def operation_objects(
    plans: list[ChannelPlan], registry: OrganisationRegistry
) -> dict[str, dict[str, Any]]:
    """Return every operation by id: the partners' first, then the hub's."""
    return dict((*_partner_operations(plans, registry), *_hub_operations(plans)))
