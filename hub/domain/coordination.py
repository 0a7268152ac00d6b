"""The book of the coordination requests the hub issued, and their acknowledgements.

The hub records each request it sends (:meth:`CoordinationBook.record_request`); partners
answer with ``nl.kcr.coordination.acknowledged``. The request and its acknowledgement travel
on different topics, so either may be seen first: an acknowledgement of a request not yet
recorded is kept and applies once it is. Only the addressee's acknowledgement counts (the
domain does not trust that only the addressee quotes the id); of several, the earliest by
(time, id) stands. Any response, *declined* included, answers the request. A request the hub
no longer needs answered (the assistance was withdrawn or fulfilled, the candidate offered)
is closed and never escalated. All operations are idempotent.

Once the assistance request behind it left the live state (withdrawn, fulfilled or expired,
and its grace over), a request leaves the book after ``finished_grace``, answered or not:
nobody waits for its answer any more, so its ``coordination_unacknowledged`` signal resolves
then. Acknowledgements that quote no recorded request leave after the grace too. An
acknowledgement that arrives later is kept as one of an unknown request (and leaves the same
way). Every assistance request ends (at the latest at ``needed_by`` plus its grace), so no
request the workflow issued stays open forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.contracts.events.coordination import CoordinationAcknowledged, CoordinationResponse
from hub.contracts.events.envelope import EventEnvelope
from hub.domain._common import dt_from_json, dt_to_json
from hub.domain.audience import EVERYONE, Audience
from hub.domain.due import DueWatch
from hub.domain.retiring import RetirementQueue, SortedIds

__all__ = ["Acknowledgement", "CoordinationBook", "CoordinationRequest"]


@dataclass(frozen=True, slots=True)
class CoordinationRequest:
    """A coordination request issued by the hub."""

    request_id: str
    addressee: str
    respond_by: datetime
    evidence_id: str
    """Id of the hub event that issued the request."""
    audience: Audience = EVERYONE
    """Who may see the request behind it (a RED or AMBER_STRICT assistance request's limit)."""


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
    """The hub's coordination requests, their acknowledgements and which are closed.

    A request leaves the book ``finished_grace`` after the first tick that sees it finished:
    once its assistance request left the live state (:meth:`release`), answered or not.
    Acknowledgements of a request never recorded leave after the grace too. Unanswered open
    requests are indexed, so the deadline rule does not scan every request.
    """

    def __init__(self) -> None:
        self.requests: dict[str, CoordinationRequest] = {}
        self.retiring = RetirementQueue()
        self._acknowledged: dict[str, dict[str, Acknowledgement]] = {}
        self._closed: set[str] = set()
        self._released: set[str] = set()
        self._waiting = SortedIds()
        self._touched: set[str] = set()
        self._acknowledged_since: set[str] = set()
        self.watch = DueWatch()
        """Requests the deadline rule looks at again (changed, or past due); not stored."""

    def record_request(
        self,
        request_id: str,
        addressee: str,
        respond_by: datetime,
        evidence_id: str,
        audience: Audience = EVERYONE,
    ) -> None:
        """Record a request the hub issued; recording it again changes nothing."""
        if request_id not in self.requests:
            self.requests[request_id] = CoordinationRequest(
                request_id, addressee, respond_by, evidence_id, audience
            )
            self.retiring.cancel(request_id)  # acknowledgements that came first now count
            self._refresh(request_id)

    def close(self, request_id: str) -> None:
        """Stop waiting for an answer to ``request_id`` (it is never escalated)."""
        if request_id not in self._closed:
            self._closed.add(request_id)
            self._refresh(request_id)

    def release(self, request_ids: Iterable[str]) -> None:
        """Note that the assistance request behind ``request_ids`` left the live state."""
        for request_id in request_ids:
            if request_id in self.requests:
                self._released.add(request_id)
                self._touched.add(request_id)

    def apply(self, event: EventEnvelope) -> None:
        """Apply an acknowledgement; per request and sender the earliest is kept."""
        if not isinstance(event, CoordinationAcknowledged):
            return
        seen = Acknowledgement(event.time, event.id, event.data.response)
        by_source = self._acknowledged.setdefault(event.data.request_id, {})
        current = by_source.get(event.source)
        if current is None or seen < current:
            by_source[event.source] = seen
        self._acknowledged_since.add(event.data.request_id)
        self._refresh(event.data.request_id)

    def take_acknowledged(self) -> set[str]:
        """Return and forget the request ids acknowledged since the last call (not stored)."""
        acknowledged, self._acknowledged_since = self._acknowledged_since, set()
        return acknowledged

    def _refresh(self, request_id: str) -> None:
        self._touched.add(request_id)
        self.watch.touch(request_id)
        self._waiting.put(request_id, self.is_open(request_id) and self.answer(request_id) is None)

    def is_open(self, request_id: str) -> bool:
        """Whether ``request_id`` is recorded and not closed."""
        return request_id in self.requests and request_id not in self._closed

    def is_waiting(self, request_id: str) -> bool:
        """Whether ``request_id`` is recorded, open and not answered (from the index)."""
        return request_id in self._waiting

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
        return (self.requests[key] for key in self._waiting)

    def _finished(self, request_id: str) -> bool:
        if request_id not in self.requests:
            return request_id in self._acknowledged  # acknowledgements of nothing recorded
        return request_id in self._released

    def retire_due(self, now: datetime, grace: timedelta) -> list[str]:
        """Schedule what the events and releases since the last tick finished; retire the due.

        A touched request seen finished at ``now`` leaves at ``now + grace``; one scheduled
        but no longer finished (acknowledgements of a request since recorded) stays. Returns
        the ids that left, sorted.
        """
        touched, self._touched = self._touched, set()
        for request_id in touched:
            if self._finished(request_id):
                self.retiring.schedule(request_id, now + grace)
        retired = [key for key in self.retiring.pop_due(now) if self._finished(key)]
        for request_id in retired:
            self.requests.pop(request_id, None)
            self._acknowledged.pop(request_id, None)
            self._closed.discard(request_id)
            self._released.discard(request_id)
            self._waiting.put(request_id, False)
            self.watch.touch(request_id)
        return retired

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict (per request, keyed by its id)."""
        return {
            "requests": {
                r.request_id: [
                    r.addressee,
                    dt_to_json(r.respond_by),
                    r.evidence_id,
                    r.request_id in self._closed,
                    r.request_id in self._released,
                    *([r.audience.to_json()] if r.audience.restricted else []),
                ]
                for r in self.requests.values()
            },
            "acknowledged": {
                request_id: {source: ack.to_json() for source, ack in by_source.items()}
                for request_id, by_source in self._acknowledged.items()
            },
            "retiring": self.retiring.to_snapshot(),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> CoordinationBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict (everything counts as touched)."""
        book = cls()
        book._acknowledged = {
            request_id: {source: Acknowledgement.from_json(ack) for source, ack in acks.items()}
            for request_id, acks in data["acknowledged"].items()
        }
        book.retiring = RetirementQueue.from_snapshot(data["retiring"])
        for request_id, item in data["requests"].items():
            addressee, respond_by, evidence_id, closed, released, *audience = item
            book.requests[request_id] = CoordinationRequest(
                request_id,
                addressee,
                dt_from_json(respond_by),
                evidence_id,
                Audience.from_json(audience[0] if audience else None),
            )
            if closed:
                book._closed.add(request_id)
            if released:
                book._released.add(request_id)
            book._refresh(request_id)
        book._touched.update(book._acknowledged)
        return book
