"""The assistance (bijstand) workflow, run at each clock tick.

For every open assistance request the hub asks candidate organisations for units, one
``nl.kcr.coordination.requested`` each, and records the request in the
:class:`~hub.domain.coordination.CoordinationBook` so an unanswered one is escalated.

*Candidates* report non-stale available capacity of the requested type; the requester and the
region in need are never candidates. They are asked nearest first: neighbouring regions of the
region in need by distance, then the others by distance, organisations without a centre last
by id. Just enough are asked to cover what is still short (their reported ``available``
counts), at most ``max_candidates`` awaiting an answer at a time. Each is asked for its share:
its available units, at most what is still short.

*Short* means: units offered (offers not withdrawn) plus the shares of candidates that may
still offer are below the quantity asked. A candidate that *declined* (and did not offer) no
longer counts, so at the next tick the next candidate is asked; one that answered *accepted* or
*noted* still counts until it offers or the request expires. An offer answers the candidate's
coordination request. Nobody is asked twice for one request.

Outcomes are announced once, to the requester: ``nl.kcr.assistance.fulfilled`` when the
accepted units reach the quantity (even after expiry), ``nl.kcr.assistance.expired`` when
``needed_by`` (plus the ``assistance_overdue`` grace) passes first; after that nobody new is
asked. A withdrawn or fulfilled request closes its coordination requests.

A tick looks only at the requests events touched since the last tick and those still
*pending* (not withdrawn, fulfilled or expired: their candidates depend on time, capacity and
answers); any other request would produce nothing. With ``full=True`` it looks at every live
request (the oracle of the tests; the same outputs). A request seen *finished* (withdrawn,
fulfilled or expired) at a tick is scheduled to leave the live state ``finished_grace`` later
(:meth:`AssistanceDispatch.retire_due`), with its workflow memory, offers and parked
acceptances; if an offer is withdrawn from a fulfilled request before then, it is pending
again and the schedule is dropped. After it left, a late acceptance or offer is ignored: a
fulfilment after expiry is announced only within the grace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from hub.contracts.events.coordination import CoordinationResponse
from hub.contracts.events.envelope import Tlp
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import (
    AssistanceEvent,
    AssistanceExpired,
    AssistanceFulfilled,
    AssistanceOutcomeData,
    Contribution,
    CoordinationRequested,
    CoordinationRequestedData,
)
from hub.contracts.outputs.base import DIRECTED_TLP, bounded_id, output_event_id, stricter
from hub.domain.assistance import Request
from hub.domain.retiring import RetirementQueue
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds
from hub.domain.workflow_settings import AssistanceSettings

__all__ = ["AssistanceDispatch", "Candidate", "Dispatch", "rank_candidates"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation asked for units: its coordination request and its share."""

    org_id: str
    coordination_id: str
    quantity: int


@dataclass(slots=True)
class Dispatch:
    """What the workflow did for one request: candidates asked, outcomes announced."""

    candidates: list[Candidate] = field(default_factory=list)
    fulfilled: bool = False
    expired: bool = False

    def asked(self, org_id: str) -> bool:
        """Whether ``org_id`` was already asked."""
        return any(c.org_id == org_id for c in self.candidates)


class _Tick(NamedTuple):
    state: HubState
    now: datetime
    tick: int
    max_age: timedelta
    grace: timedelta


def rank_candidates(
    state: HubState, request: Request, now: datetime, max_age: timedelta
) -> list[tuple[str, int]]:
    """Return the candidates of ``request`` at ``now`` with their available units, best first."""
    registry = load_registry()
    neighbours = {org.id for org in registry.neighbours(request.region)}
    excluded = {request.requester, request.region}
    offers = [
        (report.org_id, report.available)
        for report in state.capacity.fresh_reports(request.resource_type, now, max_age)
        if report.available > 0 and report.org_id not in excluded and report.org_id in registry
    ]

    def key(offer: tuple[str, int]) -> tuple[bool, bool, float, str]:
        org = offer[0]
        no_centre = registry.get(org).centre is None
        distance = math.inf if no_centre else registry.distance_km(request.region, org)
        return (org not in neighbours, no_centre, distance, org)

    return sorted(offers, key=key)


class AssistanceDispatch:
    """The workflow state of every assistance request, changed only at ticks."""

    def __init__(self, settings: AssistanceSettings) -> None:
        self.settings = settings
        self.dispatches: dict[str, Dispatch] = {}
        self.retiring = RetirementQueue()
        self._pending: set[str] = set()

    def step(
        self,
        state: HubState,
        now: datetime,
        tick: int,
        thresholds: Thresholds,
        *,
        full: bool = False,
    ) -> tuple[list[CoordinationRequested], list[AssistanceEvent]]:
        """Ask candidates and announce outcomes at ``now``; return the outputs, by request id.

        Looks at the touched and pending requests (every live one when ``full``).
        """
        at = _Tick(
            state,
            now,
            tick,
            thresholds.capacity.max_report_age,
            thresholds.assistance_overdue.grace,
        )
        retire_at = now + thresholds.live_state.finished_grace
        requests = state.assistance.requests
        looked = state.assistance.take_touched() | self._pending
        asks: list[CoordinationRequested] = []
        outcomes: list[AssistanceEvent] = []
        for request_id in sorted(requests if full else looked.intersection(requests)):
            request = requests[request_id]
            dispatch = self.dispatches.setdefault(request_id, Dispatch())
            outcome = self._outcome(request, dispatch, at)
            if outcome is not None:
                outcomes.append(outcome)
            if _still_asking(request, dispatch, at):
                asks += self._ask_more(request, dispatch, at)
            self._note(request, dispatch, retire_at)
        return asks, outcomes

    def _note(self, request: Request, dispatch: Dispatch, retire_at: datetime) -> None:
        """Keep ``request`` pending, or schedule it to leave once it is finished."""
        request_id = request.request_id
        if request.withdrawn or request.fulfilled or dispatch.expired:
            self._pending.discard(request_id)
        else:
            self._pending.add(request_id)
        if request.withdrawn or dispatch.expired or (dispatch.fulfilled and request.fulfilled):
            self.retiring.schedule(request_id, retire_at)
        else:
            self.retiring.cancel(request_id)

    def retire_due(self, state: HubState, now: datetime) -> list[str]:
        """Let the finished requests due at ``now`` leave; return their coordination ids.

        The request leaves the assistance book and this workflow's memory; its coordination
        requests (returned, sorted) may leave the coordination book once closed or answered.
        """
        released: list[str] = []
        for request_id in self.retiring.pop_due(now):
            state.assistance.retire(request_id)
            self._pending.discard(request_id)
            dispatch = self.dispatches.pop(request_id, None)
            if dispatch is not None:
                released += (c.coordination_id for c in dispatch.candidates)
        return sorted(released)

    def _outcome(self, request: Request, dispatch: Dispatch, at: _Tick) -> AssistanceEvent | None:
        coordination = at.state.coordination
        for candidate in dispatch.candidates:
            if request.withdrawn or request.fulfilled or request.has_offered(candidate.org_id):
                coordination.close(candidate.coordination_id)
        if request.fulfilled and not dispatch.fulfilled:
            dispatch.fulfilled = True
            return _outcome_event(AssistanceFulfilled, request, at)
        if _expired(request, at) and not (
            dispatch.expired or request.withdrawn or request.fulfilled
        ):
            dispatch.expired = True
            return _outcome_event(AssistanceExpired, request, at)
        return None

    def _ask_more(
        self, request: Request, dispatch: Dispatch, at: _Tick
    ) -> list[CoordinationRequested]:
        coverage = request.offered + sum(
            c.quantity for c in dispatch.candidates if _may_still_offer(request, c, at.state)
        )
        waiting = sum(1 for c in dispatch.candidates if not _answered(request, c, at.state))
        asks: list[CoordinationRequested] = []
        if coverage >= request.quantity or waiting >= self.settings.max_candidates:
            return asks  # enough asked: no need to rank anyone (a pending request, every tick)
        for org_id, available in rank_candidates(at.state, request, at.now, at.max_age):
            if coverage >= request.quantity or waiting >= self.settings.max_candidates:
                break
            if dispatch.asked(org_id):
                continue
            share = min(available, request.quantity - coverage)
            candidate = Candidate(org_id, bounded_id(f"{request.request_id}/{org_id}"), share)
            dispatch.candidates.append(candidate)
            asks.append(self._ask(request, candidate, at))
            coverage, waiting = coverage + share, waiting + 1
        return asks

    def _ask(self, request: Request, candidate: Candidate, at: _Tick) -> CoordinationRequested:
        window_end = min(request.needed_by, at.now + self.settings.response_window)
        respond_by = max(at.now, window_end)
        event = CoordinationRequested(
            id=output_event_id(candidate.coordination_id, "requested", at.tick),
            subject=candidate.coordination_id,
            time=at.now,
            tlp=stricter(Tlp(request.tlp), DIRECTED_TLP),
            correlationid=request.correlation_id,
            causationid=request.event_id,
            recipients=(candidate.org_id,),
            data=CoordinationRequestedData(
                request_id=candidate.coordination_id,
                kind="assistance",
                what=request.resource_type,
                quantity=candidate.quantity,
                total_quantity=request.quantity,
                for_org=request.requester,
                region=request.region,
                incident_id=request.incident_id,
                needed_by=request.needed_by,
                respond_by=respond_by,
                assistance_request_id=request.request_id,
                note=request.note,
            ),
        )
        at.state.coordination.record_request(
            candidate.coordination_id, candidate.org_id, respond_by, event.id
        )
        return event

    def to_snapshot(self) -> dict[str, Any]:
        """Return the workflow state as a JSON-able dict (per request, keyed by its id)."""
        return {
            "dispatches": {
                request_id: {
                    "candidates": [[c.org_id, c.coordination_id, c.quantity] for c in d.candidates],
                    "fulfilled": d.fulfilled,
                    "expired": d.expired,
                }
                for request_id, d in self.dispatches.items()
            },
            "retiring": self.retiring.to_snapshot(),
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], settings: AssistanceSettings
    ) -> AssistanceDispatch:
        """Rebuild the workflow state from :meth:`to_snapshot`'s dict.

        Every request counts as pending at the next tick (which settles which stay pending).
        """
        dispatch = cls(settings)
        for request_id, item in data["dispatches"].items():
            dispatch.dispatches[request_id] = Dispatch(
                [Candidate(org, cid, quantity) for org, cid, quantity in item["candidates"]],
                fulfilled=item["fulfilled"],
                expired=item["expired"],
            )
        dispatch._pending = set(dispatch.dispatches)
        dispatch.retiring = RetirementQueue.from_snapshot(data["retiring"])
        return dispatch


def _expired(request: Request, at: _Tick) -> bool:
    return at.now > request.needed_by + at.grace


def _still_asking(request: Request, dispatch: Dispatch, at: _Tick) -> bool:
    return not (request.withdrawn or request.fulfilled or dispatch.expired or _expired(request, at))


def _answered(request: Request, candidate: Candidate, state: HubState) -> bool:
    answer = state.coordination.answer(candidate.coordination_id)
    return answer is not None or request.has_offered(candidate.org_id)


def _may_still_offer(request: Request, candidate: Candidate, state: HubState) -> bool:
    """A candidate that has not offered and has not declined may still offer its share."""
    if request.has_offered(candidate.org_id):
        return False  # its offers count as offered
    answer = state.coordination.answer(candidate.coordination_id)
    return answer is None or answer.response is not CoordinationResponse.DECLINED


def _outcome_event(
    cls: type[AssistanceFulfilled] | type[AssistanceExpired], request: Request, at: _Tick
) -> AssistanceEvent:
    verb = cls.declared_type().rsplit(".", 1)[1]
    return cls(
        id=output_event_id(request.request_id, verb, at.tick),
        subject=request.request_id,
        time=at.now,
        tlp=stricter(Tlp(request.tlp), DIRECTED_TLP),
        correlationid=request.correlation_id,
        causationid=request.event_id,
        recipients=(request.requester,),
        data=AssistanceOutcomeData(
            request_id=request.request_id,
            requester=request.requester,
            resource_type=request.resource_type,
            quantity=request.quantity,
            accepted=min(request.accepted, request.quantity),
            offered=request.offered,
            region=request.region,
            regions=(request.region,),
            incident_id=request.incident_id,
            needed_by=request.needed_by,
            contributions=tuple(
                Contribution(org_id=org, offered=offered, accepted=accepted)
                for org, offered, accepted in request.contributions()
            ),
            observed_at=at.now,
        ),
    )
