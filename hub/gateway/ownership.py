"""Owners of shared state: a pure, keyed book of who created each aggregate, and the decision.

No Kafka here. The gateway rebuilds an :class:`OwnershipBook` on start from its compacted
ownership topic (one record per live aggregate, see :mod:`hub.gateway.ownership_store`), asks
:func:`judge_ownership` about every event that passed the other admission rules, and writes
what :func:`claim` returns to that topic in the transaction that writes the event to the log.
Which event types create, change, end or answer which aggregate is the table in
:mod:`hub.contracts.ownership`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.ownership import AggregateRef, Effect, namespace_of, qualified_id, touch_of
from hub.gateway.admission import Rejected
from hub.gateway.reasons import RejectReason

__all__ = [
    "BatchOwners",
    "Owners",
    "Ownership",
    "OwnershipBook",
    "claim",
    "from_record",
    "judge_ownership",
    "to_record",
]


@dataclass(frozen=True)
class Ownership:
    """Who created an aggregate, when the gateway accepted that, and when it ended (if it did)."""

    owner: str
    created_at: datetime
    ended_at: datetime | None = None


class Owners(Protocol):
    """What a decision reads: the ownership of an aggregate key, if known."""

    def get(self, key: str) -> Ownership | None:
        """Return the ownership recorded for ``key``, or None."""


class OwnershipBook:
    """The owners of live aggregates, by key (``<kind> <id>...``); rebuilt from its topic."""

    def __init__(self) -> None:
        """Start empty."""
        self._owners: dict[str, Ownership] = {}

    def __len__(self) -> int:
        """Return how many aggregates have a recorded owner."""
        return len(self._owners)

    def __iter__(self) -> Iterator[str]:
        """Iterate over the keys with a recorded owner."""
        return iter(self._owners)

    def get(self, key: str) -> Ownership | None:
        """Return the ownership of ``key``, or None if unknown (or forgotten)."""
        return self._owners.get(key)

    def restore(self, key: str, ownership: Ownership | None) -> None:
        """Set ``key``'s ownership as read back from the topic (None: a tombstone, forget it)."""
        if ownership is None:
            self._owners.pop(key, None)
        else:
            self._owners[key] = ownership

    def expired(self, now: datetime, retention: timedelta) -> list[str]:
        """Return the keys of aggregates that ended more than ``retention`` before ``now``."""
        limit = now - retention
        return [k for k, o in self._owners.items() if o.ended_at is not None and o.ended_at < limit]


class BatchOwners:
    """The book seen through the claims of the batch in hand, applied only once it lands."""

    def __init__(self, book: OwnershipBook) -> None:
        """Wrap ``book`` with no pending claims."""
        self.book = book
        self.pending: dict[str, Ownership | None] = {}

    def get(self, key: str) -> Ownership | None:
        """Return the ownership of ``key``, with this batch's claims first."""
        return self.pending[key] if key in self.pending else self.book.get(key)

    def settle(self) -> None:
        """Apply the pending claims to the book (the batch's transaction committed)."""
        for key, ownership in self.pending.items():
            self.book.restore(key, ownership)
        self.pending.clear()


def judge_ownership(
    event: EventEnvelope, owners: Owners, organisations: OrganisationRegistry
) -> Rejected | None:
    """Return a ``not_owner`` rejection if ``event`` creates or changes another's aggregate.

    A creation is refused when the id is owned by another organisation, or lies in another's
    namespace (``vr07:...``). A change or end is refused when another organisation owns the
    aggregate (recorded, or by the id's namespace), unless the sender's role lists the event
    type in ``may_change_others``. Answers and own state are never refused here. A change of
    an aggregate nobody is known to own is admitted: the projection ignores it.
    """
    ref = touch_of(event)
    if ref is None or ref.effect in (Effect.ANSWERS, Effect.OWN_STATE):
        return None
    sender = event.source
    recorded = owners.get(ref.key)
    namespace = namespace_of(ref.own_id, frozenset(organisations.ids()))
    owner = recorded.owner if recorded is not None else namespace
    if owner is None or owner == sender:
        return None
    if ref.effect is Effect.CREATES:
        return _taken(ref, sender, owner, by_namespace=recorded is None)
    if organisations.role_of(sender).may_change_owned_by_others(event.type):
        return None
    return Rejected(
        RejectReason.NOT_OWNER,
        f"{_named(ref)} belongs to {owner}, which created it; only {owner} may send "
        f"{event.type} for it. Fix: ask {owner} to make the change (or answer the request "
        f"instead); a role may be allowed this in may_change_others of roles.json",
    )


def _taken(ref: AggregateRef, sender: str, owner: str, *, by_namespace: bool) -> Rejected:
    local = ref.own_id.partition(":")[2] if by_namespace else ref.own_id
    why = f"lies in {owner}'s namespace" if by_namespace else f"was created by {owner}"
    return Rejected(
        RejectReason.NOT_OWNER,
        f"{_named(ref)} {why}, which owns it. Fix: choose an id of your own for a new "
        f"{ref.kind.value}, e.g. {qualified_id(sender, local)!r} in your namespace",
    )


def _named(ref: AggregateRef) -> str:
    return f"{ref.kind.value} {' '.join(repr(i) for i in ref.ids)}"


def claim(event: EventEnvelope, owners: Owners, at: datetime) -> tuple[str, Ownership] | None:
    """Return the ownership record an admitted ``event`` writes, or None if nothing changes.

    A creation records its sender as owner (again after an end: the aggregate starts afresh);
    an end records when it ended, so its key can be forgotten after the retention.
    """
    ref = touch_of(event)
    if ref is None:
        return None
    current = owners.get(ref.key)
    if ref.effect is Effect.CREATES and (current is None or current.ended_at is not None):
        return ref.key, Ownership(event.source, at)
    if ref.effect is Effect.ENDS and current is not None and current.ended_at is None:
        return ref.key, replace(current, ended_at=at)
    return None


def to_record(key: str, ownership: Ownership | None) -> tuple[bytes, bytes | None]:
    """Return the ownership topic's key and value for ``key`` (None: a tombstone)."""
    if ownership is None:
        return key.encode(), None
    value = {
        "owner": ownership.owner,
        "created_at": ownership.created_at.isoformat(),
        "ended_at": ownership.ended_at.isoformat() if ownership.ended_at else None,
    }
    return key.encode(), json.dumps(value, separators=(",", ":")).encode()


def from_record(key: bytes, value: bytes | None) -> tuple[str, Ownership | None]:
    """Read one ownership record; raise ``ValueError`` naming the key if it is malformed."""
    name = key.decode()
    if value is None:
        return name, None
    try:
        fields: Mapping[str, str | None] = json.loads(value)
        owner, created, ended = fields["owner"], fields["created_at"], fields.get("ended_at")
        if not isinstance(owner, str) or not isinstance(created, str):
            raise TypeError("owner and created_at must be strings")
        ended_at = datetime.fromisoformat(ended) if ended else None
        return name, Ownership(owner, datetime.fromisoformat(created), ended_at)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"ownership record {name!r}: {error}; it is skipped") from error
