"""Pure admission rules: whether a decoded event from an ingress topic may enter the log.

No Kafka here: the service decodes a record, calls :func:`admit`, and writes what it returns.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.gateway.dedupe import EventKey
from hub.gateway.policy import GatewayPolicy
from hub.gateway.reasons import RejectReason

__all__ = ["Admitted", "Rejected", "Verdict", "admit"]


@dataclass(frozen=True)
class Admitted:
    """The event may enter the log, stamped with its ingestion time."""

    event: EventEnvelope


@dataclass(frozen=True)
class Rejected:
    """The record goes to the dead-letter topic with this reason and detail."""

    reason: RejectReason
    detail: str


Verdict = Admitted | Rejected


def admit(
    event: EventEnvelope,
    org_id: str,
    organisations: OrganisationRegistry,
    policy: GatewayPolicy,
    seen: Container[EventKey],
    now: datetime,
) -> Verdict:
    """Check an event from ``org_id``'s ingress against the rules, in a fixed order.

    Order: organisation, source, role, time, duplicate, so that a spoofed record is reported as
    spoofed even when its id also collides. The id is not remembered here: the caller does that
    after the transaction commits.
    """
    if org_id not in organisations:
        return Rejected(
            RejectReason.UNKNOWN_ORGANISATION,
            f"ingress topic of {org_id!r}, which is not one of the hub's organisations",
        )
    if event.source != org_id:
        return Rejected(
            RejectReason.SOURCE_MISMATCH,
            f"source {event.source!r} does not match the ingress topic's organisation {org_id!r}",
        )
    if not organisations.may_publish(org_id, event.type):
        role = organisations.role_of(org_id).name
        return Rejected(
            RejectReason.TYPE_NOT_ALLOWED,
            f"{org_id} (role {role}) may not publish {event.type}",
        )
    if event.time > now + policy.future_tolerance:
        return Rejected(
            RejectReason.TIME_IN_FUTURE,
            f"time {event.time.isoformat()} is more than {policy.future_tolerance} "
            f"after ingestion at {now.isoformat()}",
        )
    if policy.max_age is not None and event.time < now - policy.max_age:
        return Rejected(
            RejectReason.TIME_TOO_OLD,
            f"time {event.time.isoformat()} is more than {policy.max_age} before ingestion",
        )
    if (event.source, event.id) in seen:
        return Rejected(
            RejectReason.DUPLICATE_EVENT_ID,
            f"event id {event.id!r} from {event.source} was accepted before",
        )
    return Admitted(event.with_ingested_at(now))
