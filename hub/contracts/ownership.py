"""Which aggregate each event type touches, and how: the one table of shared-state ownership.

Every aggregate belongs to the organisation whose event created it. An event either *creates* an
aggregate (its sender becomes the owner; the same owner may send it again, e.g. a redefined
scenario), *changes* one (only its owner may, unless the sender's role lists the event type in
``may_change_others`` of ``roles.json``), *answers* one (an offer, answer or acknowledgement by an
addressee: not a change of someone else's aggregate), or touches only the sender's own state
(capacity, heartbeat, subscription: the domain keys them by source; the clock is the hub's).

An aggregate is named by its kind and the values of its id fields in the payload, e.g. an offer is
``assistance_offer req-1 offer-2`` (ids hold no whitespace, so the key is unambiguous). Where an
event type has two rows (a withdrawal of a request or of one offer), the first row whose id fields
are all given applies.

Ids chosen by partners are namespaced by their source: an id ``<org>:<local>`` whose prefix is an
organisation id belongs to that organisation's namespace, and only it may create aggregates with
such ids (importers qualify the ids of their feeds so, e.g. CAP ``<incidents>`` 5 from vr07 becomes
``vr07:5``). Other ids are claimed by the first organisation that creates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from hub.contracts.events.envelope import EventEnvelope

__all__ = [
    "CLAIMING_TYPES",
    "OWNERSHIP_TABLE",
    "AggregateKind",
    "AggregateRef",
    "Effect",
    "Touch",
    "namespace_of",
    "qualified_id",
    "touch_of",
]

NAMESPACE_SEPARATOR = ":"
"""Separates an organisation's namespace from its local id: ``vr07:inc-5``."""


class AggregateKind(StrEnum):
    """The kinds of shared aggregate the gateway keeps owners for."""

    INCIDENT = "incident"
    ASSISTANCE_REQUEST = "assistance_request"
    ASSISTANCE_OFFER = "assistance_offer"
    INFORMATION_REQUEST = "information_request"
    COORDINATION_REQUEST = "coordination_request"
    ADVICE_REQUEST = "advice_request"
    SCENARIO = "scenario"
    SITREP = "sitrep"


class Effect(StrEnum):
    """What an event does to the aggregate it names."""

    CREATES = "creates"
    """The sender becomes the owner; refused if another organisation owns the id."""
    CHANGES = "changes"
    """Only the owner may (or a role allowed by ``may_change_others``)."""
    ENDS = "ends"
    """A change that closes, withdraws or retires the aggregate (owner only, as CHANGES)."""
    ANSWERS = "answers"
    """An addressee answers it: allowed to anyone the domain accepts, owner unchanged."""
    OWN_STATE = "own_state"
    """No shared aggregate: the state is the sender's own (keyed by source in the domain)."""


@dataclass(frozen=True)
class Touch:
    """One row of the table: the aggregate kind, its id fields in the payload, the effect."""

    kind: AggregateKind | None
    id_fields: tuple[str, ...]
    effect: Effect


@dataclass(frozen=True)
class AggregateRef:
    """The aggregate one event touches, and how."""

    kind: AggregateKind
    ids: tuple[str, ...]
    effect: Effect

    @property
    def key(self) -> str:
        """The aggregate's key in the ownership store: kind and ids, separated by spaces."""
        return " ".join((self.kind.value, *self.ids))

    @property
    def own_id(self) -> str:
        """The aggregate's own id (the last id field, e.g. the offer's), whose namespace counts."""
        return self.ids[-1]


def _row(kind: AggregateKind, effect: Effect, *fields: str) -> Touch:
    return Touch(kind, fields, effect)


_OWN = (Touch(None, (), Effect.OWN_STATE),)
_K = AggregateKind
_E = Effect

OWNERSHIP_TABLE: Mapping[str, tuple[Touch, ...]] = MappingProxyType({
    "nl.kcr.incident.reported": (_row(_K.INCIDENT, _E.CREATES, "incident_id"),),
    "nl.kcr.incident.updated": (_row(_K.INCIDENT, _E.CHANGES, "incident_id"),),
    "nl.kcr.incident.closed": (_row(_K.INCIDENT, _E.ENDS, "incident_id"),),
    "nl.kcr.capacity.reported": _OWN,
    "nl.kcr.assistance.requested": (_row(_K.ASSISTANCE_REQUEST, _E.CREATES, "request_id"),),
    "nl.kcr.assistance.offered": (
        _row(_K.ASSISTANCE_OFFER, _E.CREATES, "request_id", "offer_id"),
    ),
    "nl.kcr.assistance.accepted": (_row(_K.ASSISTANCE_REQUEST, _E.CHANGES, "request_id"),),
    "nl.kcr.assistance.withdrawn": (
        _row(_K.ASSISTANCE_OFFER, _E.ENDS, "request_id", "offer_id"),
        _row(_K.ASSISTANCE_REQUEST, _E.ENDS, "request_id"),
    ),
    "nl.kcr.sitrep.published": (_row(_K.SITREP, _E.CREATES, "sitrep_id"),),
    "nl.kcr.heartbeat.sent": _OWN,
    "nl.kcr.coordination.acknowledged": (
        _row(_K.COORDINATION_REQUEST, _E.ANSWERS, "request_id"),
    ),
    "nl.kcr.information.requested": (_row(_K.INFORMATION_REQUEST, _E.CREATES, "request_id"),),
    "nl.kcr.information.provided": (_row(_K.INFORMATION_REQUEST, _E.ANSWERS, "request_id"),),
    "nl.kcr.advice.requested": (_row(_K.ADVICE_REQUEST, _E.CREATES, "advice_id"),),
    "nl.kcr.advice.validated": (_row(_K.ADVICE_REQUEST, _E.ENDS, "advice_id"),),
    "nl.kcr.advice.rejected": (_row(_K.ADVICE_REQUEST, _E.ENDS, "advice_id"),),
    "nl.kcr.scenario.defined": (_row(_K.SCENARIO, _E.CREATES, "scenario_id"),),
    "nl.kcr.scenario.retired": (_row(_K.SCENARIO, _E.ENDS, "scenario_id"),),
    "nl.kcr.subscription.changed": _OWN,
    "nl.kcr.clock.ticked": _OWN,
})  # fmt: skip
"""Every event type of the catalogue → the aggregate it touches (a test keeps them in step).

Coordination requests are created by the hub's workflows, never by partners: an acknowledgement
answers one. Advice is validated or rejected by a national centre, not its requester: those
are changes of the requester's aggregate that the ``national_centre`` role is allowed.
"""

CLAIMING_TYPES: frozenset[str] = frozenset(
    event_type
    for event_type, rows in OWNERSHIP_TABLE.items()
    if any(row.effect in (Effect.CREATES, Effect.ENDS) for row in rows)
)
"""The event types that create or end an aggregate: what claims or ends an owner."""


def touch_of(event: EventEnvelope) -> AggregateRef | None:
    """Return the aggregate ``event`` touches, or None when it touches only its own state.

    Raises ``KeyError`` naming the type if it is missing from :data:`OWNERSHIP_TABLE` (a
    catalogue type added without a row: add one).
    """
    try:
        rows = OWNERSHIP_TABLE[event.type]
    except KeyError:
        raise KeyError(f"{event.type}: no row in OWNERSHIP_TABLE; add one") from None
    for row in rows:
        if row.kind is None:
            return None
        values = [getattr(event.data, name, None) for name in row.id_fields]
        if all(value is not None for value in values):
            return AggregateRef(row.kind, tuple(str(v) for v in values), row.effect)
    return None


def namespace_of(aggregate_id: str, org_ids: frozenset[str] | set[str]) -> str | None:
    """Return the organisation whose namespace ``aggregate_id`` lies in (``vr07:...``), if any."""
    head, separator, _ = aggregate_id.partition(NAMESPACE_SEPARATOR)
    return head if separator and head in org_ids else None


def qualified_id(org_id: str, local_id: str) -> str:
    """Return ``local_id`` in ``org_id``'s namespace (``vr07:5``), unchanged if it already is."""
    prefix = f"{org_id}{NAMESPACE_SEPARATOR}"
    return local_id if local_id.startswith(prefix) else prefix + local_id
