"""A minimal book of the coordination requests the hub issued, and their acknowledgements.

The hub records each request it sends (:meth:`CoordinationBook.record_request`); partners
answer with ``nl.kcr.coordination.acknowledged``. The request and its acknowledgement travel
on different topics, so either may be seen first: an acknowledgement of a request not yet
recorded is kept and applies once it is. Any acknowledgement of the request id counts, whoever
sent it. Both operations are idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.contracts.events.coordination import CoordinationAcknowledged
from hub.contracts.events.envelope import EventEnvelope
from hub.domain._common import dt_from_json, dt_to_json

__all__ = ["CoordinationBook", "CoordinationRequest"]


@dataclass(frozen=True, slots=True)
class CoordinationRequest:
    """A coordination request issued by the hub."""

    request_id: str
    addressee: str
    respond_by: datetime
    evidence_id: str
    """Id of the hub event that issued the request."""


class CoordinationBook:
    """The hub's coordination requests and which of them are acknowledged."""

    def __init__(self) -> None:
        self.requests: dict[str, CoordinationRequest] = {}
        self._acknowledged: dict[str, tuple[datetime, str]] = {}

    def record_request(
        self, request_id: str, addressee: str, respond_by: datetime, evidence_id: str
    ) -> None:
        """Record a request the hub issued; recording it again changes nothing."""
        if request_id not in self.requests:
            self.requests[request_id] = CoordinationRequest(
                request_id, addressee, respond_by, evidence_id
            )

    def apply(self, event: EventEnvelope) -> None:
        """Apply an acknowledgement; the earliest (by time, then id) is kept."""
        if not isinstance(event, CoordinationAcknowledged):
            return
        request_id, seen = event.data.request_id, (event.time, event.id)
        current = self._acknowledged.get(request_id)
        if current is None or seen < current:
            self._acknowledged[request_id] = seen

    def acknowledgement(self, request_id: str) -> str | None:
        """Return the id of the acknowledgement of ``request_id``, or None."""
        seen = self._acknowledged.get(request_id)
        return None if seen is None else seen[1]

    def unacknowledged(self) -> Iterator[CoordinationRequest]:
        """Yield the recorded requests without an acknowledgement, by request id."""
        return (
            self.requests[key] for key in sorted(self.requests) if key not in self._acknowledged
        )

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict."""
        return {
            "requests": [
                [r.request_id, r.addressee, dt_to_json(r.respond_by), r.evidence_id]
                for r in self.requests.values()
            ],
            "acknowledged": {k: [dt_to_json(t), i] for k, (t, i) in self._acknowledged.items()},
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> CoordinationBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict."""
        book = cls()
        for request_id, addressee, respond_by, evidence_id in data["requests"]:
            book.record_request(request_id, addressee, dt_from_json(respond_by), evidence_id)
        book._acknowledged = {k: (dt_from_json(t), i) for k, (t, i) in data["acknowledged"].items()}
        return book
