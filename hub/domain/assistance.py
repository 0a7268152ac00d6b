"""The book of assistance (bijstand) requests: what is asked, offered and accepted.

It feeds the escalation rules (requests not fulfilled by their deadline, demand above
national availability), the capacity view (accepted offers count as committed capacity of the
offering organisation) and the assistance workflow (:mod:`hub.domain.dispatch`).

All events of one request carry its id as subject, so they arrive in order. Every change is
a *set*, never an *add*, so applying an event twice changes nothing: an offer is recorded by
its id, and the accepted quantity of an offer is that of its latest acceptance.

The book does not trust the gateway with who may do what: the source's role must allow the
event type (ministries, for one, neither ask nor offer), only the requester accepts offers
and withdraws the request, only the offerer withdraws its offer, and an offer must be of the
requested resource type and not from the requester itself. Anything else is ignored and
counted in :attr:`AssistanceBook.ignored`. An acceptance is capped at the offer's quantity and
at what the request still needs from that offer (over-offers stay offered, not accepted).

The book keeps only live requests: a finished one (withdrawn, fulfilled or expired) leaves it
after a grace (:meth:`AssistanceBook.retire`, scheduled by :mod:`hub.domain.dispatch`), with its
offers and parked acceptances. From then on it is unknown: events about it are ignored and
counted, a new request with its id starts afresh, and the units accepted for it no longer count
as committed capacity. The book indexes the open requests and those with accepted units (also
per resource type), so the rules and views read them without a scan of every request. Every
change of a request touches it in :attr:`AssistanceBook.watch` and its resource type in
:attr:`AssistanceBook.type_watch` (:mod:`hub.domain.due`): the rules look at what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.contracts.events.assistance import (
    AssistanceAccepted,
    AssistanceOffered,
    AssistanceRequested,
    AssistanceWithdrawn,
)
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.domain._common import (
    dt_from_json,
    dt_to_json,
    hub_time,
    opt_dt_from_json,
    opt_dt_to_json,
)
from hub.domain.audience import answers_requester, request_limit
from hub.domain.due import DueWatch
from hub.domain.retiring import SortedIds

__all__ = ["AssistanceBook", "Offer", "Request"]


@dataclass(slots=True)
class Offer:
    """One offer against a request, and how much of it the requester accepted."""

    offer_id: str
    offerer: str
    resource_type: str
    quantity: int
    accepted: int = 0
    accepted_event_id: str | None = None
    withdrawn: bool = False
    tlp: str = "AMBER"
    """The offer's own label: with :attr:`recipients`, who else may see it."""
    recipients: tuple[str, ...] = ()


@dataclass(slots=True)
class Request:
    """One assistance request and its offers.

    ``tlp``, ``correlation_id``, ``incident_id``, ``note`` and ``requested_at`` (hub time)
    are kept for the coordination requests and outcomes the workflow sends about it.
    """

    request_id: str
    requester: str
    resource_type: str
    quantity: int
    region: str
    needed_by: datetime
    event_id: str
    withdrawn: bool = False
    offers: dict[str, Offer] = field(default_factory=dict)
    tlp: str = "AMBER"
    correlation_id: str | None = None
    incident_id: str | None = None
    note: str = ""
    requested_at: datetime | None = None
    recipients: tuple[str, ...] = ()
    """The request's named recipients: with a RED or AMBER_STRICT label, who may be asked."""

    @property
    def limit(self) -> frozenset[str] | None:
        """Whom the hub may involve on its behalf (None: whomever the workflow picks)."""
        return request_limit(self.tlp, self.recipients, (self.region,), self.requester)

    @property
    def accepted(self) -> int:
        """Units accepted from offers that are not withdrawn."""
        return sum(o.accepted for o in self.offers.values() if not o.withdrawn)

    @property
    def offered(self) -> int:
        """Units offered in offers that are not withdrawn."""
        return sum(o.quantity for o in self.offers.values() if not o.withdrawn)

    @property
    def fulfilled(self) -> bool:
        """Whether the accepted units reach the quantity asked (and it is not withdrawn)."""
        return not self.withdrawn and self.accepted >= self.quantity

    def offered_by(self, org_id: str) -> int:
        """Units offered by ``org_id`` in offers that are not withdrawn."""
        return sum(
            o.quantity for o in self.offers.values() if o.offerer == org_id and not o.withdrawn
        )

    def has_offered(self, org_id: str) -> bool:
        """Whether ``org_id`` made any offer (withdrawn ones included)."""
        return any(o.offerer == org_id for o in self.offers.values())

    def contributions(self) -> list[tuple[str, int, int]]:
        """Return per offering organisation (sorted) its units offered and accepted."""
        totals: dict[str, tuple[int, int]] = {}
        for offer in self.offers.values():
            if not offer.withdrawn:
                offered, accepted = totals.get(offer.offerer, (0, 0))
                totals[offer.offerer] = (offered + offer.quantity, accepted + offer.accepted)
        return [(org, *totals[org]) for org in sorted(totals)]

    @property
    def outstanding(self) -> int:
        """Units still needed: 0 once withdrawn or fully accepted."""
        return 0 if self.withdrawn else max(0, self.quantity - self.accepted)

    @property
    def open(self) -> bool:
        """Whether units are still needed."""
        return self.outstanding > 0

    def evidence(self) -> tuple[str, ...]:
        """The request's event id, then the ids of the acceptances that count."""
        accepted = sorted(
            o.accepted_event_id
            for o in self.offers.values()
            if o.accepted_event_id is not None and not o.withdrawn
        )
        return (self.event_id, *accepted)


class AssistanceBook:
    """Every assistance request seen, with its offers and acceptances.

    Offers, acceptances and withdrawals of unknown requests or offers are ignored and counted
    in :attr:`ignored`; a second request with a known id is ignored too. An acceptance that
    arrives before the offer it accepts (two partners' ingress topics can interleave in the
    log) is parked (by request, then offer id) and applied when that offer arrives.
    """

    def __init__(self, organisations: OrganisationRegistry) -> None:
        """Start empty; events count only from senders ``organisations`` lets publish them."""
        self.organisations = organisations
        self.requests: dict[str, Request] = {}
        self.ignored = 0
        self.parked: dict[str, dict[str, AssistanceAccepted]] = {}
        self._open = SortedIds()
        self._open_by_type: dict[str, SortedIds] = {}
        self._committing: set[str] = set()
        self._committing_by_type: dict[str, set[str]] = {}
        self._touched: set[str] = set()
        self.watch = DueWatch()
        """Requests the overdue rule looks at again (changed, or past due); not stored."""
        self.type_watch = DueWatch()
        """Resource types whose demand or committed units changed; not stored."""
        self._handlers: Mapping[type[EventEnvelope], Callable[[Any], None]] = {
            AssistanceRequested: self._requested,
            AssistanceOffered: self._offered,
            AssistanceAccepted: self._accepted,
            AssistanceWithdrawn: self._withdrawn,
        }

    def apply(self, event: EventEnvelope) -> None:
        """Apply an assistance event; other events are no concern of the book.

        An event from an organisation whose role may not publish its type is ignored.
        """
        handler = self._handlers.get(type(event))
        if handler is None:
            return
        if self.organisations.may_publish(event.source, event.type):
            handler(event)
            self._refresh(_request_id(event))
        else:
            self.ignored += 1

    def _refresh(self, request_id: str) -> None:
        """Note that ``request_id`` may have changed: touch it and update the indexes."""
        request = self.requests.get(request_id)
        if request is None:
            return
        self._touched.add(request_id)
        self._index(
            request,
            request.open,
            committing=not request.withdrawn
            and any(o.accepted and not o.withdrawn for o in request.offers.values()),
        )

    def _index(self, request: Request, is_open: bool, *, committing: bool) -> None:
        """Put ``request`` in or out of the indexes; touch it and its type for the rules.

        The indexes feed the shared figures (open demand, committed units in the capacity view,
        the shortfall signal, scenario metrics): a request whose label limits whom it involves
        (RED, AMBER_STRICT) is in none of them.
        """
        if request.limit is not None:
            is_open = committing = False
        request_id, rtype = request.request_id, request.resource_type
        self.watch.touch(request_id)
        self.type_watch.touch(rtype)
        self._open.put(request_id, is_open)
        self._open_by_type.setdefault(rtype, SortedIds()).put(request_id, is_open)
        if not self._open_by_type[rtype]:
            del self._open_by_type[rtype]
        by_type = self._committing_by_type.setdefault(rtype, set())
        (self._committing.add if committing else self._committing.discard)(request_id)
        (by_type.add if committing else by_type.discard)(request_id)
        if not by_type:
            del self._committing_by_type[rtype]

    def _requested(self, event: AssistanceRequested) -> None:
        data = event.data
        known = self.requests.get(data.request_id)
        if known is not None:
            if known.event_id != event.id:
                self.ignored += 1
            return
        self.requests[data.request_id] = Request(
            data.request_id,
            event.source,
            data.resource_type,
            data.quantity,
            data.region,
            data.needed_by,
            event.id,
            tlp=event.tlp.value,
            recipients=event.recipients,
            correlation_id=event.correlationid,
            incident_id=data.incident_id,
            note=data.note,
            requested_at=hub_time(event),
        )

    def _offered(self, event: AssistanceOffered) -> None:
        data = event.data
        request = self._request(data.request_id)
        if request is None or data.offer_id in request.offers:
            return
        if data.resource_type != request.resource_type or event.source == request.requester:
            self.ignored += 1
            return
        if not answers_requester(event, request.requester):
            self.ignored += 1  # a RED offer its requester may not see offers nothing
            return
        request.offers[data.offer_id] = Offer(
            data.offer_id,
            event.source,
            data.resource_type,
            data.quantity,
            tlp=event.tlp.value,
            recipients=event.recipients,
        )
        parked = self.parked.get(data.request_id, {}).pop(data.offer_id, None)
        if not self.parked.get(data.request_id, True):
            del self.parked[data.request_id]
        if parked is not None:
            self._accepted(parked)

    def _accepted(self, event: AssistanceAccepted) -> None:
        request = self.requests.get(event.data.request_id)
        if request is not None and event.data.offer_id not in request.offers:
            self.parked.setdefault(event.data.request_id, {})[event.data.offer_id] = event
            return
        offer = self._offer(event.data.request_id, event.data.offer_id)
        if request is None or offer is None:
            return
        if event.source != request.requester or offer.withdrawn:
            self.ignored += 1
            return
        others = request.accepted - offer.accepted
        quantity = max(0, min(event.data.quantity, offer.quantity, request.quantity - others))
        offer.accepted = quantity
        offer.accepted_event_id = event.id if quantity else None

    def _withdrawn(self, event: AssistanceWithdrawn) -> None:
        data = event.data
        if data.offer_id is None:
            request = self._request(data.request_id)
            if request is not None and event.source == request.requester:
                request.withdrawn = True
            elif request is not None:
                self.ignored += 1
            return
        offer = self._offer(data.request_id, data.offer_id)
        if offer is not None and event.source == offer.offerer:
            offer.withdrawn = True
        elif offer is not None:
            self.ignored += 1

    def _request(self, request_id: str) -> Request | None:
        request = self.requests.get(request_id)
        if request is None:
            self.ignored += 1
        return request

    def _offer(self, request_id: str, offer_id: str) -> Offer | None:
        request = self._request(request_id)
        offer = None if request is None else request.offers.get(offer_id)
        if request is not None and offer is None:
            self.ignored += 1
        return offer

    def open_requests(self) -> Iterator[Request]:
        """Yield the requests that still need units, in order of request id (from the index)."""
        return (self.requests[key] for key in self._open)

    def take_touched(self) -> set[str]:
        """Return and forget the ids of the live requests events touched since the last call."""
        touched, self._touched = self._touched, set()
        return touched

    def retire(self, request_id: str) -> Request | None:
        """Forget ``request_id``: the request, its offers and parked acceptances; return it."""
        request = self.requests.pop(request_id, None)
        self.parked.pop(request_id, None)
        self._touched.discard(request_id)
        if request is not None:
            self._index(request, False, committing=False)
        return request

    def open_of_type(self, resource_type: str) -> Iterator[Request]:
        """Yield the open requests of ``resource_type``, by request id (from the index)."""
        return (self.requests[key] for key in self._open_by_type.get(resource_type, ()))

    def committed_of_type(self, resource_type: str) -> dict[str, int]:
        """Return :meth:`committed` of ``resource_type`` alone (from the index per type)."""
        per_org: dict[str, int] = {}
        for request_id in self._committing_by_type.get(resource_type, ()):
            for offer in self.requests[request_id].offers.values():
                if offer.accepted and not offer.withdrawn:
                    per_org[offer.offerer] = per_org.get(offer.offerer, 0) + offer.accepted
        return per_org

    def resource_types(self) -> set[str]:
        """Return the resource types of the open or committing requests."""
        return set(self._open_by_type) | set(self._committing_by_type)

    def committed(self) -> dict[str, dict[str, int]]:
        """Return, per resource type and offering organisation, the units accepted from it.

        Counts accepted offers of live requests that are not withdrawn (the units stay
        committed while the request stands, fulfilled or not, until it leaves the live state);
        withdrawn offers do not count. Reads the index of requests with accepted units.
        """
        totals: dict[str, dict[str, int]] = {}
        for request_id in self._committing:
            request = self.requests[request_id]
            for offer in request.offers.values():
                if offer.accepted and not offer.withdrawn:
                    per_org = totals.setdefault(offer.resource_type, {})
                    per_org[offer.offerer] = per_org.get(offer.offerer, 0) + offer.accepted
        return totals

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict."""
        return {
            "ignored": self.ignored,
            "requests": {key: _request_json(r) for key, r in self.requests.items()},
            "parked": {
                key: {offer: e.model_dump(mode="json") for offer, e in by_offer.items()}
                for key, by_offer in self.parked.items()
            },
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], organisations: OrganisationRegistry
    ) -> AssistanceBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict (every request counts as touched)."""
        book = cls(organisations)
        book.ignored = int(data["ignored"])
        for key, by_offer in data["parked"].items():
            book.parked[key] = {
                offer: AssistanceAccepted.model_validate(item) for offer, item in by_offer.items()
            }
        for item in data["requests"].values():
            offers = {
                o["offer_id"]: Offer(**{**o, "recipients": tuple(o.get("recipients", ()))})
                for o in item["offers"].values()
            }
            fields = {k: v for k, v in item.items() if k not in _TIMES and k not in _LISTS}
            request = Request(
                **fields,
                recipients=tuple(item.get("recipients", ())),
                needed_by=dt_from_json(item["needed_by"]),
                requested_at=opt_dt_from_json(item["requested_at"]),
                offers=offers,
            )
            book.requests[request.request_id] = request
            book._refresh(request.request_id)
        return book


_TIMES = ("needed_by", "requested_at")
_LISTS = ("offers", "recipients")


def _request_id(event: Any) -> str:
    """The request id every assistance event carries in its data."""
    return str(event.data.request_id)


def _request_json(request: Request) -> dict[str, Any]:
    offers = {
        key: {name: getattr(offer, name) for name in Offer.__dataclass_fields__}
        for key, offer in request.offers.items()
    }
    plain = {
        name: getattr(request, name)
        for name in Request.__dataclass_fields__
        if name not in _TIMES and name not in _LISTS
    }
    return {
        **plain,
        "recipients": list(request.recipients),
        "needed_by": dt_to_json(request.needed_by),
        "requested_at": opt_dt_to_json(request.requested_at),
        "offers": offers,
    }
