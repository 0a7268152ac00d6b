"""A minimal book of assistance (bijstand) requests: what is asked, offered and accepted.

Enough for the escalation rules (requests not fulfilled by their deadline, demand above
national availability) and for the capacity view (accepted offers count as committed capacity
of the offering organisation). A later issue builds the full assistance workflow.

All events of one request carry its id as subject, so they arrive in order. Every change is
a *set*, never an *add*, so applying an event twice changes nothing: an offer is recorded by
its id, and the accepted quantity of an offer is that of its latest acceptance.
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
from hub.domain._common import dt_from_json, dt_to_json

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


@dataclass(slots=True)
class Request:
    """One assistance request and its offers."""

    request_id: str
    requester: str
    resource_type: str
    quantity: int
    region: str
    needed_by: datetime
    event_id: str
    withdrawn: bool = False
    offers: dict[str, Offer] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        """Units accepted from offers that are not withdrawn."""
        return sum(o.accepted for o in self.offers.values() if not o.withdrawn)

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
    in :attr:`ignored`; a second request with a known id is ignored too.
    """

    def __init__(self) -> None:
        self.requests: dict[str, Request] = {}
        self.ignored = 0
        self._handlers: Mapping[type[EventEnvelope], Callable[[Any], None]] = {
            AssistanceRequested: self._requested,
            AssistanceOffered: self._offered,
            AssistanceAccepted: self._accepted,
            AssistanceWithdrawn: self._withdrawn,
        }

    def apply(self, event: EventEnvelope) -> None:
        """Apply an assistance event; other events are no concern of the book."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

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
        )

    def _offered(self, event: AssistanceOffered) -> None:
        data = event.data
        request = self._request(data.request_id)
        if request is not None and data.offer_id not in request.offers:
            request.offers[data.offer_id] = Offer(
                data.offer_id, event.source, data.resource_type, data.quantity
            )

    def _accepted(self, event: AssistanceAccepted) -> None:
        offer = self._offer(event.data.request_id, event.data.offer_id)
        if offer is not None:
            offer.accepted, offer.accepted_event_id = event.data.quantity, event.id

    def _withdrawn(self, event: AssistanceWithdrawn) -> None:
        data = event.data
        if data.offer_id is None:
            request = self._request(data.request_id)
            if request is not None:
                request.withdrawn = True
            return
        offer = self._offer(data.request_id, data.offer_id)
        if offer is not None:
            offer.withdrawn = True

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
        """Yield the requests that still need units, in order of request id."""
        return (self.requests[key] for key in sorted(self.requests) if self.requests[key].open)

    def committed(self) -> dict[str, dict[str, int]]:
        """Return, per resource type and offering organisation, the units accepted from it.

        Counts accepted offers of requests that are not withdrawn (the units stay committed
        while the request stands, fulfilled or not); withdrawn offers do not count.
        """
        totals: dict[str, dict[str, int]] = {}
        for request in self.requests.values():
            if request.withdrawn:
                continue
            for offer in request.offers.values():
                if offer.accepted and not offer.withdrawn:
                    per_org = totals.setdefault(offer.resource_type, {})
                    per_org[offer.offerer] = per_org.get(offer.offerer, 0) + offer.accepted
        return totals

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict."""
        return {
            "ignored": self.ignored,
            "requests": [_request_json(r) for r in self.requests.values()],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> AssistanceBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict."""
        book = cls()
        book.ignored = int(data["ignored"])
        for item in data["requests"]:
            offers = {o["offer_id"]: Offer(**o) for o in item["offers"]}
            fields = {k: v for k, v in item.items() if k not in ("offers", "needed_by")}
            request = Request(**fields, needed_by=dt_from_json(item["needed_by"]), offers=offers)
            book.requests[request.request_id] = request
        return book


def _request_json(request: Request) -> dict[str, Any]:
    offers = [
        {name: getattr(offer, name) for name in Offer.__dataclass_fields__}
        for offer in request.offers.values()
    ]
    plain = {
        name: getattr(request, name)
        for name in Request.__dataclass_fields__
        if name not in ("offers", "needed_by")
    }
    return {**plain, "needed_by": dt_to_json(request.needed_by), "offers": offers}
