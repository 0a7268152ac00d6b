"""Subscription events: a partner changes which hub outputs reach its outbox.

Every organisation starts from the subscriptions of its role (``subscriptions`` in
``data/roles.json``). A ``nl.kcr.subscription.changed`` event changes them for its *source*
only, so every partner may publish it for itself; by convention its subject is the source's
organisation id (the hub ignores a change whose subject is another id). The router never lets
a subscription reach past what an output's TLP allows.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, field_validator

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import RegionId, check_unique

__all__ = [
    "SUBSCRIPTION_KINDS",
    "SubscriptionChanged",
    "SubscriptionChangedData",
    "SubscriptionKind",
]

SubscriptionKind = Literal[
    "signals", "views", "coordination", "assistance", "information", "advice"
]
"""Kinds of hub output: escalation signals, view records, and the workflow outputs by family."""

SUBSCRIPTION_KINDS: tuple[str, ...] = get_args(SubscriptionKind)
"""Every subscription kind, in documented order."""


class SubscriptionChangedData(EventData):
    """Kinds of output to stop (``remove``) and then start (``add``) receiving.

    ``regions`` filters the added kinds: only outputs that involve one of these regions
    (as recipient or as a region the output is about) are wanted. Empty: no filter.
    """

    add: tuple[SubscriptionKind, ...] = Field(
        default=(), description="Kinds of output to receive from now on."
    )
    remove: tuple[SubscriptionKind, ...] = Field(
        default=(), description="Kinds of output to stop receiving (applied before 'add')."
    )
    regions: tuple[RegionId, ...] = Field(
        default=(), description="Only outputs involving these regions, for the added kinds."
    )

    @field_validator("add", "remove", "regions")
    @classmethod
    def _unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        check_unique(values, "kinds and regions")
        return values


class SubscriptionChanged(EventEnvelope):
    """A partner changes its own subscriptions to hub outputs."""

    type: Literal["nl.kcr.subscription.changed"] = type_field("nl.kcr.subscription.changed")
    data: SubscriptionChangedData = data_field("The change of subscriptions.")
