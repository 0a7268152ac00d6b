"""The book of the coordination requests the hub issued, and their acknowledgements.

The hub records each request it sends (:meth:`CoordinationBook.record_request`); partners
answer with ``nl.kcr.coordination.acknowledged``. The request and its acknowledgement travel
on different topics, so either may be seen first: an acknowledgement of a request not yet
recorded is kept and applies once it is. Only the addressee's acknowledgement counts (the
domain does not trust that only the addressee quotes the id); of several, the earliest by
(time, id) stands. Any response, *declined* included, answers the request. A request the hub
no longer needs answered (the assistance was withdrawn or fulfilled, the candidate offered)
is closed and never escalated. All operations are idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.contracts.events.coordination import CoordinationAcknowledged, CoordinationResponse
from hub.contracts.events.envelope import EventEnvelope
from hub.domain._common import dt_from_json, dt_to_json

__all__ = ["Acknowledgement", "CoordinationBook", "CoordinationRequest"]


@dataclass(frozen=True, slots=True)
class CoordinationRequest:
    """A coordination request issued by the hub."""

    request_id: str
    addressee: str
    respond_by: datetime
    evidence_id: str
    """Id of the hub event that issued the request."""


@dataclass(frozen=True, slots=True, order=True)
class Acknowledgement:
    """One partner's answer to a coordination request; ordered by (time, event id)."""

    time: datetime
    event_id: str
    response: CoordinationResponse

    def to_json(self) -> list[str]:
        """Return the acknowledgement as a JSON-able list."""
        return [dt_to_json(self.time), self.event_id, self.response.value]

    @classmethod
    def from_json(cls, data: list[str]) -> Acknowledgement:
        """Rebuild the acknowledgement from :meth:`to_json`'s list."""
        time, event_id, response = data
        return cls(dt_from_json(time), event_id, CoordinationResponse(response))


class CoordinationBook:
    """The hub's coordination requests, their acknowledgements and which are closed."""

    def __init__(self) -> None:
        self.requests: dict[str, CoordinationRequest] = {}
        self._acknowledged: dict[str, dict[str, Acknowledgement]] = {}
        self._closed: set[str] = set()

    def record_request(
        self, request_id: str, addressee: str, respond_by: datetime, evidence_id: str
    ) -> None:
        """Record a request the hub issued; recording it again changes nothing."""
        if request_id not in self.requests:
            self.requests[request_id] = CoordinationRequest(
                request_id, addressee, respond_by, evidence_id
            )

    def close(self, request_id: str) -> None:
        """Stop waiting for an answer to ``request_id`` (it is never escalated)."""
        self._closed.add(request_id)

    def apply(self, event: EventEnvelope) -> None:
        """Apply an acknowledgement; per request and sender the earliest is kept."""
        if not isinstance(event, CoordinationAcknowledged):
            return
        seen = Acknowledgement(event.time, event.id, event.data.response)
        by_source = self._acknowledged.setdefault(event.data.request_id, {})
        current = by_source.get(event.source)
        if current is None or seen < current:
            by_source[event.source] = seen

    def answer(self, request_id: str) -> Acknowledgement | None:
        """Return the addressee's acknowledgement of ``request_id``, or None.

        Before the request is recorded its addressee is unknown: then None.
        """
        request = self.requests.get(request_id)
        if request is None:
            return None
        return self._acknowledged.get(request_id, {}).get(request.addressee)

    def acknowledgement(self, request_id: str) -> str | None:
        """Return the id of the addressee's acknowledgement of ``request_id``, or None."""
        answer = self.answer(request_id)
        return None if answer is None else answer.event_id

    def unacknowledged(self) -> Iterator[CoordinationRequest]:
        """Yield the open recorded requests the addressee has not answered, by request id."""
        return (
            self.requests[key]
            for key in sorted(self.requests)
            if key not in self._closed and self.answer(key) is None
        )

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict."""
        return {
            "requests": [
                [r.request_id, r.addressee, dt_to_json(r.respond_by), r.evidence_id]
                for r in self.requests.values()
            ],
            "acknowledged": {
                request_id: {source: ack.to_json() for source, ack in by_source.items()}
                for request_id, by_source in self._acknowledged.items()
            },
            "closed": sorted(self._closed),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> CoordinationBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict."""
        book = cls()
        for request_id, addressee, respond_by, evidence_id in data["requests"]:
            book.record_request(request_id, addressee, dt_from_json(respond_by), evidence_id)
        book._acknowledged = {
            request_id: {source: Acknowledgement.from_json(ack) for source, ack in acks.items()}
            for request_id, acks in data["acknowledged"].items()
        }
        book._closed = set(data["closed"])
        return book
