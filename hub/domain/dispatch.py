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

A tick looks only at the requests events touched since the last tick and the *pending* ones
(not withdrawn, fulfilled or expired) that something else may have moved: their expiry
(``needed_by`` plus the grace) has passed (a due-time queue, :mod:`hub.domain.due`), a
capacity report of their resource type arrived, or one of their candidates answered. Nothing
else changes what a pending request sends (a report going stale never adds a candidate); the
indexes are not stored, a restored workflow looks at every request once. With
``context.full`` it looks at every live request (the oracle of the tests; the same outputs).
A request seen *finished* (withdrawn, fulfilled or expired) at a tick is scheduled to leave
the live state ``finished_grace`` later (:meth:`AssistanceDispatch.retire_due`), with its
workflow memory, offers and parked acceptances; if an offer is withdrawn from a fulfilled
request before then, it is pending again and the schedule is dropped. After it left, a late
acceptance or offer is ignored: a fulfilment after expiry is announced only within the grace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from hub.contracts.events.coordination import CoordinationResponse
from hub.contracts.events.envelope import Tlp
from hub.contracts.organisations import OrganisationRegistry
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
from hub.domain.audience import limited
from hub.domain.due import DueQueue
from hub.domain.output_kinds import WorkflowOutputs
from hub.domain.retiring import RetirementQueue
from hub.domain.state import HubState
from hub.domain.step_context import StepContext
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
    organisations: OrganisationRegistry


def rank_candidates(
    state: HubState,
    request: Request,
    at: tuple[datetime, timedelta],
    registry: OrganisationRegistry,
) -> list[tuple[str, int]]:
    """Return the candidates of ``request`` at (now, max report age), best first, with units."""
    now, max_age = at
    neighbours = {org.id for org in registry.neighbours(request.region)}
    excluded = {request.requester, request.region}
    limit = request.limit  # a RED or AMBER_STRICT request: only those it names may be asked
    offers = [
        (report.org_id, report.available)
        for report in state.capacity.fresh_reports(request.resource_type, now, max_age)
        if report.available > 0
        and report.org_id not in excluded
        and report.org_id in registry
        and (limit is None or report.org_id in limit)
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
        self.expiring = DueQueue()
        """Pending requests by the moment they expire (``needed_by`` plus the grace)."""
        self._pending: dict[str, str] = {}  # pending request id -> its resource type
        self._pending_of_type: dict[str, set[str]] = {}
        self._asked_by: dict[str, str] = {}  # coordination id -> its pending request id
        self._look: set[str] = set()  # looked at once at the next step

    def step(self, state: HubState, context: StepContext) -> WorkflowOutputs:
        """Ask candidates and announce outcomes at the context's moment, by request id.

        Looks at the touched requests and the pending ones that time, capacity or an answer
        may have moved (every live one when ``context.full``).
        """
        at = _Tick(
            state,
            context.now,
            context.tick,
            context.max_report_age,
            context.thresholds.assistance_overdue.grace,
            context.organisations,
        )
        retire_at = context.now + context.finished_grace
        requests = state.assistance.requests
        looked = self._looked(state, context.now)
        asks: list[CoordinationRequested] = []
        outcomes: list[AssistanceEvent] = []
        for request_id in sorted(requests if context.full else looked.intersection(requests)):
            request = requests[request_id]
            dispatch = self.dispatches.setdefault(request_id, Dispatch())
            outcome = self._outcome(request, dispatch, at)
            if outcome is not None:
                outcomes.append(outcome)
            if _still_asking(request, dispatch, at):
                asks += self._ask_more(request, dispatch, at)
            self._note(request, dispatch, retire_at, at.grace)
        return WorkflowOutputs(coordination=asks, assistance=outcomes)

    def _looked(self, state: HubState, now: datetime) -> set[str]:
        """The requests to look at: touched, expiring, or pending and moved by the state.

        A pending request's outputs change with time only when it expires; otherwise only
        when a capacity report of its resource type arrives (new candidates) or one of its
        candidates answers (it no longer waits, or declined): a report going stale never
        adds a candidate.
        """
        looked = state.assistance.take_touched() | self._look
        self._look = set()
        looked.update(self.expiring.pop_passed(now))
        for resource_type in state.capacity.take_reported():
            looked.update(self._pending_of_type.get(resource_type, ()))
        answered = state.coordination.take_acknowledged()
        looked.update(self._asked_by[c] for c in answered if c in self._asked_by)
        return looked

    def _note(
        self, request: Request, dispatch: Dispatch, retire_at: datetime, grace: timedelta
    ) -> None:
        """Keep ``request`` pending (indexed by its moments), or schedule it to leave."""
        request_id = request.request_id
        if request.withdrawn or request.fulfilled or dispatch.expired:
            self._unpend(request_id)
        else:
            self._pending[request_id] = request.resource_type
            self._pending_of_type.setdefault(request.resource_type, set()).add(request_id)
            self.expiring.put(request_id, request.needed_by + grace)
            self._asked_by.update((c.coordination_id, request_id) for c in dispatch.candidates)
        if request.withdrawn or dispatch.expired or (dispatch.fulfilled and request.fulfilled):
            self.retiring.schedule(request_id, retire_at)
        else:
            self.retiring.cancel(request_id)

    def retire_due(self, state: HubState, now: datetime) -> list[str]:
        """Let the finished requests due at ``now`` leave; return their coordination ids.

        The request leaves the assistance book and this workflow's memory; its coordination
        requests (returned, sorted) leave the coordination book a grace later, answered or not.
        """
        released: list[str] = []
        for request_id in self.retiring.pop_due(now):
            state.assistance.retire(request_id)
            self._unpend(request_id)
            dispatch = self.dispatches.pop(request_id, None)
            if dispatch is not None:
                released += (c.coordination_id for c in dispatch.candidates)
        return sorted(released)

    def _unpend(self, request_id: str) -> None:
        """Drop ``request_id`` from the indexes of pending requests."""
        resource_type = self._pending.pop(request_id, None)
        if resource_type is not None:
            self._pending_of_type[resource_type].discard(request_id)
            if not self._pending_of_type[resource_type]:
                del self._pending_of_type[resource_type]
        self.expiring.discard(request_id)
        dispatch = self.dispatches.get(request_id)
        for candidate in dispatch.candidates if dispatch is not None else ():
            self._asked_by.pop(candidate.coordination_id, None)

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
        for org_id, available in rank_candidates(
            at.state, request, (at.now, at.max_age), at.organisations
        ):
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
        coordination = at.state.coordination
        coordination.record_request(
            candidate.coordination_id,
            candidate.org_id,
            respond_by,
            event.id,
            limited(request.tlp, request.limit),
        )
        if coordination.answer(candidate.coordination_id) is not None:
            self._look.add(request.request_id)  # answered before it was asked: look again
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

        Every request is looked at at the next tick (which rebuilds the pending indexes).
        """
        dispatch = cls(settings)
        for request_id, item in data["dispatches"].items():
            dispatch.dispatches[request_id] = Dispatch(
                [Candidate(org, cid, quantity) for org, cid, quantity in item["candidates"]],
                fulfilled=item["fulfilled"],
                expired=item["expired"],
            )
        dispatch._look = set(dispatch.dispatches)  # the indexes are rebuilt as each is looked at
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
