"""The assistance book: requests, offers, acceptances and withdrawals (minimal)."""

from __future__ import annotations

import json

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.domain.assistance import AssistanceBook
from hub.domain.testing import (
    assistance_accepted,
    assistance_offered,
    assistance_requested,
    assistance_withdrawn,
    minutes,
)


def _book(*events: EventEnvelope) -> AssistanceBook:
    """Return a book with ``events`` applied in order."""
    book = AssistanceBook(load_registry())
    for event in events:
        book.apply(event)
    return book


def _negotiation() -> list[EventEnvelope]:
    """vr19 asks 10 pumps; vr18 offers 6 (4 accepted), vr20 offers 5 (3 accepted)."""
    return [
        assistance_requested("req-1", minutes(0), quantity=10),
        assistance_offered("req-1", minutes(1), quantity=6),
        assistance_offered("req-1", minutes(2), source="vr20", offer_id="vr20-offer"),
        assistance_accepted("req-1", minutes(3), quantity=4),
        assistance_accepted("req-1", minutes(4), offer_id="vr20-offer", quantity=3),
    ]


def test_request_tracks_accepted_and_outstanding() -> None:
    """Accepted units add up over offers; outstanding is what is still needed."""
    request = _book(*_negotiation()).requests["req-1"]
    assert (request.requester, request.quantity, request.accepted, request.outstanding) == (
        "vr19", 10, 7, 3,
    )  # fmt: skip
    assert request.open
    assert len(request.evidence()) == 3


def test_fully_accepted_request_is_no_longer_open() -> None:
    """Once accepted ≥ requested nothing is outstanding; a new acceptance of an offer replaces."""
    book = _book(
        *_negotiation(),
        assistance_accepted("req-1", minutes(5), quantity=6),
        assistance_accepted("req-1", minutes(6), offer_id="vr20-offer", quantity=5),
    )
    assert [o.accepted for o in book.requests["req-1"].offers.values()] == [6, 4]
    assert book.requests["req-1"].outstanding == 0
    assert list(book.open_requests()) == []


def test_withdrawn_request_is_closed_and_commits_nothing() -> None:
    """A withdrawn request needs nothing and its accepted offers are no longer committed."""
    book = _book(*_negotiation(), assistance_withdrawn("req-1", minutes(5)))
    assert (book.requests["req-1"].withdrawn, book.requests["req-1"].outstanding) == (True, 0)
    assert book.committed() == {}


def test_withdrawn_offer_no_longer_counts() -> None:
    """An offer withdrawn after acceptance neither fulfils nor commits."""
    book = _book(
        *_negotiation(),
        assistance_withdrawn("req-1", minutes(5), source="vr18", offer_id="vr18-offer"),
    )
    assert book.requests["req-1"].accepted == 3
    assert book.committed() == {"pump": {"vr20": 3}}


def test_committed_is_per_type_and_offering_org() -> None:
    """Accepted offers commit units of the offer's type at the offering organisation."""
    assert _book(*_negotiation()).committed() == {"pump": {"vr18": 4, "vr20": 3}}


def test_replaying_every_event_twice_changes_nothing() -> None:
    """Duplicates of requests, offers, acceptances and withdrawals are harmless."""
    events = _negotiation()
    once, twice = _book(*events), _book(*events, *events)
    assert twice.to_snapshot() == once.to_snapshot()


def test_events_of_unknown_requests_or_offers_are_ignored_and_counted() -> None:
    """Offers and withdrawals for unknown requests are counted; an early acceptance is parked."""
    book = _book(
        assistance_offered("ghost", minutes(0)),
        assistance_requested("req-1", minutes(0)),
        assistance_accepted("req-1", minutes(1), offer_id="nobody"),
        assistance_withdrawn("ghost", minutes(2)),
    )
    assert book.ignored == 2
    assert {key: list(offers) for key, offers in book.parked.items()} == {"req-1": ["nobody"]}
    assert book.requests["req-1"].accepted == 0


def test_snapshot_round_trip() -> None:
    """A restored book is the same book."""
    book = _book(*_negotiation(), assistance_withdrawn("req-1", minutes(5), offer_id="vr20-offer"))
    snapshot = json.loads(json.dumps(book.to_snapshot()))
    restored = AssistanceBook.from_snapshot(snapshot, load_registry())
    assert restored.requests == book.requests
    assert restored.ignored == book.ignored


def test_an_acceptance_before_its_offer_is_applied_when_the_offer_arrives() -> None:
    """Partners' topics interleave: vr19 accepting vr17's offer before it is logged still counts."""
    book = AssistanceBook(load_registry())
    book.apply(assistance_requested("req-1", minutes(0), quantity=10))
    book.apply(assistance_accepted("req-1", minutes(2), offer_id="vr17-offer", quantity=6))
    assert book.requests["req-1"].accepted == 0
    restored = AssistanceBook.from_snapshot(book.to_snapshot(), load_registry())
    restored.apply(assistance_offered("req-1", minutes(1), source="vr17", quantity=6))
    assert restored.requests["req-1"].accepted == 6
    assert restored.committed() == {"pump": {"vr17": 6}}
    assert restored.parked == {}
