"""Owners of shared state: the classification table, the gateway's pure decision, the codec."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.ownership import OWNERSHIP_TABLE, AggregateKind, Effect, touch_of
from hub.domain import testing as build
from hub.domain.assistance import AssistanceBook
from hub.domain.situation import SituationProjection
from hub.gateway.admission import Admitted, Rejected, admit
from hub.gateway.dedupe import DedupeWindow
from hub.gateway.ownership import (
    BatchOwners,
    Ownership,
    OwnershipBook,
    claim,
    from_record,
    judge_ownership,
    to_record,
)
from hub.gateway.policy import GatewayPolicy
from hub.gateway.reasons import RejectReason

REGISTRY = load_registry()
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def _judge(event: EventEnvelope, book: OwnershipBook) -> Rejected | None:
    """The gateway's ownership step, claiming for an admitted event as the service does."""
    owners = BatchOwners(book)
    refused = judge_ownership(event, owners, REGISTRY)
    if refused is None:
        claimed = claim(event, owners, NOW)
        if claimed is not None:
            owners.pending[claimed[0]] = claimed[1]
        owners.settle()
    return refused


def _not_owner(refused: Rejected | None) -> str:
    """Assert ``refused`` is a not_owner rejection; return its detail."""
    assert refused is not None
    assert refused.reason is RejectReason.NOT_OWNER
    return refused.detail


def _book(*events: EventEnvelope) -> OwnershipBook:
    book = OwnershipBook()
    for event in events:
        assert _judge(event, book) is None, event
    return book


def test_every_catalogue_type_is_classified() -> None:
    """The table has exactly one entry per event type of the catalogue, with valid id fields."""
    assert set(OWNERSHIP_TABLE) == set(EVENT_TYPES)
    for event_type, rows in OWNERSHIP_TABLE.items():
        assert rows, event_type
        payload = EVENT_TYPES[event_type].model_fields["data"].annotation
        assert isinstance(payload, type)
        for row in rows:
            assert set(row.id_fields) <= set(payload.model_fields), (event_type, row)
            assert (row.kind is None) == (row.effect is Effect.OWN_STATE), event_type


def test_every_created_kind_is_created_by_some_type() -> None:
    """Each kind partners change is created by an event type (coordination: by the hub)."""
    created = {
        r.kind for rows in OWNERSHIP_TABLE.values() for r in rows if r.effect is Effect.CREATES
    }
    touched = {r.kind for rows in OWNERSHIP_TABLE.values() for r in rows if r.kind is not None}
    assert touched - created == {AggregateKind.COORDINATION_REQUEST}


def test_a_withdrawal_touches_the_offer_when_it_names_one() -> None:
    """A withdrawal with offer_id ends that offer; without, it ends the request."""
    offer = touch_of(build.assistance_withdrawn("r1", NOW, "vr18", offer_id="o1"))
    request = touch_of(build.assistance_withdrawn("r1", NOW, "vr19"))
    assert offer is not None
    assert request is not None
    assert (offer.kind, offer.key) == (AggregateKind.ASSISTANCE_OFFER, "assistance_offer r1 o1")
    assert (request.kind, request.effect) == (AggregateKind.ASSISTANCE_REQUEST, Effect.ENDS)


def test_closing_another_organisations_incident_is_not_owner() -> None:
    """Given vr17 reported an incident, when vr19 closes it, then not_owner naming vr17."""
    book = _book(build.incident_reported("inc-1", NOW, "vr17"))
    refused = _judge(build.incident_closed("inc-1", NOW, "vr19"), book)
    detail = _not_owner(refused)
    assert "vr17" in detail
    assert "Fix:" in detail


def test_the_owner_updates_and_closes() -> None:
    """The reporter's own update and closure are admitted; the closure is recorded."""
    book = _book(build.incident_reported("inc-1", NOW, "vr17"))
    assert _judge(build.incident_updated("inc-1", NOW, "vr17"), book) is None
    assert _judge(build.incident_closed("inc-1", NOW, "vr17"), book) is None
    entry = book.get("incident inc-1")
    assert entry == Ownership("vr17", NOW, NOW)


def test_an_update_by_another_is_not_owner() -> None:
    """Updates, acceptances and withdrawals of another's aggregate are refused alike."""
    book = _book(
        build.incident_reported("inc-1", NOW, "vr17"),
        build.assistance_requested("req-1", NOW, "vr17"),
        build.scenario_defined("sc-1", NOW, "ncc"),
    )
    for event in (
        build.incident_updated("inc-1", NOW, "vr19"),
        build.assistance_accepted("req-1", NOW, "vr19"),
        build.assistance_withdrawn("req-1", NOW, "vr19"),
        build.scenario_retired("sc-1", NOW, "locc"),
        build.scenario_defined("sc-1", NOW, "locc"),
    ):
        refused = _judge(event, book)
        _not_owner(refused)


def test_answers_are_not_changes() -> None:
    """Offers, answers and acknowledgements to another's request are admitted."""
    book = _book(
        build.assistance_requested("req-1", NOW, "vr17"),
        build.information_requested("info-1", NOW, "ncc"),
    )
    assert _judge(build.assistance_offered("req-1", NOW, "vr18", offer_id="o1"), book) is None
    assert _judge(build.information_provided("info-1", NOW, "vr19"), book) is None
    assert _judge(build.coordination_acknowledged("coord-1", NOW, "vr19"), book) is None


def test_only_the_offerer_withdraws_its_offer() -> None:
    """An offer belongs to its offerer: the requester cannot withdraw it, the offerer can."""
    book = _book(
        build.assistance_requested("req-1", NOW, "vr17"),
        build.assistance_offered("req-1", NOW, "vr18", offer_id="o1"),
    )
    refused = _judge(build.assistance_withdrawn("req-1", NOW, "vr17", offer_id="o1"), book)
    _not_owner(refused)
    assert _judge(build.assistance_withdrawn("req-1", NOW, "vr18", offer_id="o1"), book) is None


def test_a_role_permission_allows_changing_others() -> None:
    """A national centre may validate another's advice (may_change_others); a region may not."""
    book = _book(build.advice_requested("adv-1", NOW, "vr19"))
    assert REGISTRY.role_of("locc").may_change_owned_by_others("nl.kcr.advice.validated")
    assert _judge(build.advice_validated("adv-1", NOW, "locc"), book) is None
    book = _book(build.advice_requested("adv-2", NOW, "vr19"))
    refused = _judge(build.advice_rejected("adv-2", NOW, "vr18"), book)
    _not_owner(refused)


def test_no_role_may_change_others_incidents() -> None:
    """The default is closed: no role lists incident or assistance changes."""
    for role in REGISTRY.roles():
        for event_type in ("nl.kcr.incident.closed", "nl.kcr.assistance.withdrawn"):
            assert not role.may_change_owned_by_others(event_type), role.name


def test_an_id_created_by_another_is_taken() -> None:
    """Reporting an id another organisation created is not_owner, with a namespaced fix."""
    book = _book(build.incident_reported("inc-5", NOW, "vr07"))
    refused = _judge(build.incident_reported("inc-5", NOW, "vr08"), book)
    assert "'vr08:inc-5'" in _not_owner(refused)
    assert _judge(build.incident_reported("vr08:inc-5", NOW, "vr08"), book) is None


def test_a_namespaced_id_belongs_to_its_organisation() -> None:
    """Nobody but vr07 creates or closes an id in vr07's namespace, known or not."""
    book = OwnershipBook()
    for event in (
        build.incident_reported("vr07:5", NOW, "vr08"),
        build.incident_closed("vr07:6", NOW, "vr08"),
    ):
        refused = _judge(event, book)
        assert (refused is not None and "namespace" in refused.detail) or "vr07" in str(refused)
    assert _judge(build.incident_reported("vr07:5", NOW, "vr07"), book) is None


def test_an_unknown_aggregate_may_be_changed() -> None:
    """A change of an aggregate nobody is known to own is admitted (the projection ignores it)."""
    assert _judge(build.incident_closed("inc-9", NOW, "vr19"), OwnershipBook()) is None


def test_an_ended_aggregate_restarts_with_its_owner() -> None:
    """After a closure the owner may report the id again; the owner stays the same."""
    book = _book(build.incident_reported("i", NOW, "vr17"), build.incident_closed("i", NOW, "vr17"))
    assert _judge(build.incident_reported("i", NOW, "vr18"), book) is not None
    assert _judge(build.incident_reported("i", NOW, "vr17"), book) is None
    assert book.get("incident i") == Ownership("vr17", NOW)


def test_expired_lists_aggregates_ended_past_the_retention() -> None:
    """Only ended aggregates older than the retention are expired."""
    book = OwnershipBook()
    book.restore("incident a", Ownership("vr17", NOW, NOW - timedelta(days=40)))
    book.restore("incident b", Ownership("vr17", NOW, NOW - timedelta(days=1)))
    book.restore("incident c", Ownership("vr17", NOW))
    assert book.expired(NOW, timedelta(days=30)) == ["incident a"]


def test_records_round_trip_and_tombstones_forget() -> None:
    """An ownership record reads back as written; a tombstone forgets the key."""
    entry = Ownership("vr17", NOW, NOW + timedelta(hours=1))
    assert from_record(*to_record("incident a", entry)) == ("incident a", entry)
    assert from_record(*to_record("incident a", None)) == ("incident a", None)
    with pytest.raises(ValueError, match="ownership record 'incident a'"):
        from_record(b"incident a", b'{"owner": 1}')


def test_a_batch_sees_its_own_claims_before_it_settles() -> None:
    """Within a batch a claim counts at once; the book learns it only when settled."""
    book = OwnershipBook()
    owners = BatchOwners(book)
    reported = build.incident_reported("inc-1", NOW, "vr17")
    claimed = claim(reported, owners, NOW)
    assert claimed is not None
    owners.pending[claimed[0]] = claimed[1]
    refused = judge_ownership(build.incident_closed("inc-1", NOW, "vr19"), owners, REGISTRY)
    _not_owner(refused)
    assert book.get("incident inc-1") is None
    owners.settle()
    assert book.get("incident inc-1") == Ownership("vr17", NOW)


ORGS = ("vr17", "vr18", "vr19", "ncc")
IDS = ("a", "b", "vr17:c", "vr18:d")


@st.composite
def _events(draw: st.DrawFn) -> EventEnvelope:
    org, aggregate = draw(st.sampled_from(ORGS)), draw(st.sampled_from(IDS))
    at = NOW + timedelta(minutes=draw(st.integers(0, 60)))
    kinds: dict[str, Any] = {
        "reported": lambda: build.incident_reported(aggregate, at, org, regions=["vr17"]),
        "updated": lambda: build.incident_updated(aggregate, at, org, status="escalating"),
        "closed": lambda: build.incident_closed(aggregate, at, org),
        "requested": lambda: build.assistance_requested(aggregate, at, org, region="vr17"),
        "offered": lambda: build.assistance_offered(aggregate, at, org, offer_id=f"{org}:o"),
        "accepted": lambda: build.assistance_accepted(aggregate, at, org, offer_id="vr18:o"),
        "withdrawn": lambda: build.assistance_withdrawn(aggregate, at, org),
    }
    event: EventEnvelope = kinds[draw(st.sampled_from(sorted(kinds)))]()
    return event


def _others(situation: SituationProjection, book: AssistanceBook, org: str) -> Any:
    """Everything owned by organisations other than ``org``, as plain values."""
    incidents = {k: asdict(s) for k, s in situation.incidents.items() if s.reported_by != org}
    requests = {
        k: (r.withdrawn, {o: (v.accepted, v.withdrawn) for o, v in r.offers.items()
                          if v.offerer != org})
        for k, r in book.requests.items()
        if r.requester != org
    }  # fmt: skip
    return incidents, requests


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_events(), max_size=40))
def test_no_event_of_one_organisation_changes_another_organisations_aggregate(
    events: list[EventEnvelope],
) -> None:
    """Through the gateway's pure decision and the projection: A never changes what B owns."""
    owners, seen = OwnershipBook(), DedupeWindow(timedelta(days=1), 10_000)
    situation, assistance = SituationProjection(), AssistanceBook(load_registry())
    for event in events:
        verdict = admit(
            event, event.source, REGISTRY, GatewayPolicy(), seen, NOW + timedelta(hours=2)
        )
        if not isinstance(verdict, Admitted) or _judge(event, owners) is not None:
            continue
        seen.remember((event.source, event.id), NOW)
        before = _others(situation, assistance, event.source)
        situation.apply(verdict.event)
        assistance.apply(verdict.event)
        assert _others(situation, assistance, event.source) == before, event
