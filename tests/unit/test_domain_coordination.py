"""The coordination book: requests the hub issued and their acknowledgements."""

from __future__ import annotations

import json

from hub.domain.coordination import CoordinationBook
from hub.domain.testing import coordination_acknowledged, minutes


def test_recorded_request_waits_for_its_acknowledgement() -> None:
    """A recorded request is unacknowledged until a partner acknowledges its id."""
    book = CoordinationBook()
    book.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    assert [r.request_id for r in book.unacknowledged()] == ["co-1"]
    ack = coordination_acknowledged("co-1", minutes(3))
    book.apply(ack)
    assert list(book.unacknowledged()) == []
    assert book.acknowledgement("co-1") == ack.id


def test_acknowledgement_seen_before_the_request_still_counts() -> None:
    """Request and acknowledgement travel on different topics; either may come first."""
    book = CoordinationBook()
    book.apply(coordination_acknowledged("co-1", minutes(3)))
    book.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    assert list(book.unacknowledged()) == []


def test_recording_and_acknowledging_twice_changes_nothing() -> None:
    """The first record of a request stands; the earliest acknowledgement is kept."""
    book = CoordinationBook()
    book.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    book.record_request("co-1", "vr18", minutes(99), "hub-ev-2")
    late, early = (
        coordination_acknowledged("co-1", minutes(5)),
        coordination_acknowledged("co-1", minutes(4)),
    )
    for event in (late, early, late):
        book.apply(event)
    assert book.requests["co-1"].addressee == "vr19"
    assert book.acknowledgement("co-1") == early.id


def test_any_response_answers_and_only_the_addressee_counts() -> None:
    """Declined answers the request like the others; an acknowledgement by another does not."""
    book = CoordinationBook()
    book.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    book.apply(coordination_acknowledged("co-1", minutes(2), source="vr20"))
    assert [r.request_id for r in book.unacknowledged()] == ["co-1"]
    book.apply(coordination_acknowledged("co-1", minutes(3), response="declined"))
    answer = book.answer("co-1")
    assert answer is not None
    assert answer.response.value == "declined"
    assert list(book.unacknowledged()) == []


def test_closed_request_is_no_longer_awaited() -> None:
    """A request the hub closed is never unacknowledged, and stays closed after a restore."""
    book = CoordinationBook()
    book.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    book.close("co-1")
    assert list(book.unacknowledged()) == []
    restored = CoordinationBook.from_snapshot(json.loads(json.dumps(book.to_snapshot())))
    assert list(restored.unacknowledged()) == []


def test_snapshot_round_trip() -> None:
    """A restored book knows the same requests and acknowledgements."""
    book = CoordinationBook()
    book.record_request("co-1", "vr19", minutes(15), "hub-ev-1")
    book.record_request("co-2", "ncc", minutes(15), "hub-ev-2")
    book.apply(coordination_acknowledged("co-2", minutes(3), source="ncc"))
    restored = CoordinationBook.from_snapshot(json.loads(json.dumps(book.to_snapshot())))
    assert restored.requests == book.requests
    assert [r.request_id for r in restored.unacknowledged()] == ["co-1"]
