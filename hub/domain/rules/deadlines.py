"""Rules over time: silent organisations, overdue assistance, unacknowledged coordination.

"Now" is the time of the clock tick; every comparison is strict, so a deadline is missed
only once ``now`` is past it (plus the grace period), never at the very moment.

Each rule here scans every expected organisation or live request: the oracle. Its ``*_due``
twin (what the incremental tick runs) looks only at the keys its book's due-time queue
(:mod:`hub.domain.due`) gives: those changed since the last tick and those whose moment
(``needed_by``, ``respond_by`` plus the grace, the end of an allowed silence) has passed. It
returns the conditions found and the keys looked at, and gives each key its next moment.
Regions, the expected reporters, names, labels and units come from the state's registry and
reference data (those the projection was given).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs.signals import SignalSeverity
from hub.domain._common import dt_to_json
from hub.domain.assistance import Request
from hub.domain.audience import limited
from hub.domain.coordination import CoordinationRequest
from hub.domain.naming import org_name
from hub.domain.rules.condition import Condition, Found, signal_id, unique
from hub.domain.state import HubState
from hub.domain.thresholds import Thresholds

__all__ = [
    "ASSISTANCE_OVERDUE",
    "COORDINATION_UNACKNOWLEDGED",
    "SILENT_ORGANISATION",
    "assistance_overdue",
    "assistance_overdue_due",
    "coordination_unacknowledged",
    "coordination_unacknowledged_due",
    "silent_organisation",
    "silent_organisation_due",
]

SILENT_ORGANISATION = "silent_organisation"
ASSISTANCE_OVERDUE = "assistance_overdue"
COORDINATION_UNACKNOWLEDGED = "coordination_unacknowledged"


def _regions(organisations: OrganisationRegistry, org_ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(org for org in org_ids if organisations.is_region(org))


def silent_organisation(
    state: HubState, now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    """An expected organisation with no event for longer than ``max_silence_minutes``.

    Expected: every safety region plus ``expected_partners``. One never heard from counts
    from the first tick, so nothing is raised at the very first tick. Critical after
    ``critical_silence_minutes``. Keyed by organisation; evidence: its latest event.
    """
    limits = thresholds.silent_organisation
    found: dict[str, Condition] = {}
    for org in limits.expected(state.organisations):
        condition = _silent(state, org, now, thresholds)
        if condition is not None:
            found[signal_id(SILENT_ORGANISATION, org)] = condition
    return found


def silent_organisation_due(state: HubState, now: datetime, thresholds: Thresholds) -> Found:
    """:func:`silent_organisation` for the organisations heard from or whose silence ran out."""
    limits, activity = thresholds.silent_organisation, state.activity
    every = partial(limits.expected, state.organisations)
    expected = set(every())
    keys = [org for org in activity.watch.take(now, every) if org in expected]
    found: dict[str, Condition] = {}
    for org in keys:
        condition = _silent(state, org, now, thresholds)
        if condition is not None:
            found[signal_id(SILENT_ORGANISATION, org)] = condition
        since = activity.last_seen(org) or activity.started_at
        moments = () if since is None else (limits.max_silence, limits.critical_silence)
        activity.watch.watch(org, _next(since, moments, now))
    return Found(found, SILENT_ORGANISATION, keys)


def _next(since: datetime | None, after: Iterable[timedelta], now: datetime) -> datetime | None:
    """The first of ``since + a`` for ``a`` in ``after`` (ascending) that ``now`` has not passed."""
    if since is None:
        return None
    return next((since + a for a in after if now <= since + a), None)


def _silent(state: HubState, org: str, now: datetime, thresholds: Thresholds) -> Condition | None:
    limits, activity = thresholds.silent_organisation, state.activity
    silence = activity.silent_for(org, now)
    if silence is None or silence <= limits.max_silence:
        return None
    critical = silence > limits.critical_silence
    allowed = limits.critical_silence_minutes if critical else limits.max_silence_minutes
    last, last_id = activity.last_seen(org), activity.last_event_id(org)
    since = (
        f"last event {last_id} at {dt_to_json(last)}"
        if last is not None
        else f"no event since observation started at {dt_to_json(now - silence)}"
    )
    name = org_name(state.organisations, org)
    return Condition(
        rule=SILENT_ORGANISATION,
        severity=SignalSeverity.CRITICAL if critical else SignalSeverity.WARNING,
        title=f"No events from {name}",
        details=f"{name} ({org}) silent for more than {allowed:g} minutes; {since}.",
        regions=_regions(state.organisations, (org,)),
        evidence=() if last_id is None else (last_id,),
    )


def assistance_overdue(
    state: HubState, now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    """An assistance request not fulfilled (accepted < requested) by its ``needed_by``.

    Withdrawn requests never count. Critical when nothing at all was accepted. Keyed by
    request; evidence: the request and the acceptances that count. Addressed to the
    configured ``notify`` organisations (the LOCC) and the requester. Scans every live
    request; a request that left the live state raises nothing.
    """
    requests = state.assistance.requests
    scanned = (requests[key] for key in sorted(requests) if requests[key].open)
    return _assistance_overdue(state, scanned, now, thresholds)


def assistance_overdue_due(state: HubState, now: datetime, thresholds: Thresholds) -> Found:
    """:func:`assistance_overdue` for the requests changed or past ``needed_by`` + grace."""
    book, grace = state.assistance, thresholds.assistance_overdue.grace
    keys = book.watch.take(now, book.requests.keys)
    looked = [r for key in keys if (r := book.requests.get(key)) is not None and r.open]
    moments = {r.request_id: _next(r.needed_by, (grace,), now) for r in looked}
    for key in keys:
        book.watch.watch(key, moments.get(key))
    return Found(_assistance_overdue(state, looked, now, thresholds), ASSISTANCE_OVERDUE, keys)


def _assistance_overdue(
    state: HubState, requests: Iterable[Request], now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    organisations, reference = state.organisations, state.reference
    grace = thresholds.assistance_overdue.grace
    notify = thresholds.assistance_overdue.notify
    found: dict[str, Condition] = {}
    for request in requests:
        if now <= request.needed_by + grace:
            continue
        accepted = request.accepted
        resource = reference.resource_type(request.resource_type)
        requester = org_name(organisations, request.requester)
        found[signal_id(ASSISTANCE_OVERDUE, request.request_id)] = Condition(
            rule=ASSISTANCE_OVERDUE,
            severity=SignalSeverity.CRITICAL if accepted == 0 else SignalSeverity.WARNING,
            title=(
                f"Assistance for {requester} overdue: "
                f"{accepted} of {request.quantity} × {resource.label}"
            ),
            details=(
                f"Request {request.request_id} of {requester} for {request.quantity} "
                f"{resource.unit} in {org_name(organisations, request.region)} was needed "
                f"by {dt_to_json(request.needed_by)}; {accepted} accepted so far."
            ),
            regions=_regions(organisations, (request.region,)),
            evidence=request.evidence(),
            recipients=unique((*notify, request.requester)),
            audience=limited(request.tlp, request.limit),
        )
    return found


def coordination_unacknowledged(
    state: HubState, now: datetime, thresholds: Thresholds
) -> dict[str, Condition]:
    """A coordination request of the hub not acknowledged by its ``respond_by``.

    Keyed by request; evidence: the hub event that issued it. Scans every live request.
    """
    book = state.coordination
    scanned = (
        book.requests[key]
        for key in sorted(book.requests)
        if book.is_open(key) and book.answer(key) is None
    )
    return _coordination_unacknowledged(state.organisations, scanned, now, thresholds)


def coordination_unacknowledged_due(
    state: HubState, now: datetime, thresholds: Thresholds
) -> Found:
    """:func:`coordination_unacknowledged` for the requests changed or past ``respond_by``."""
    book, grace = state.coordination, thresholds.coordination_unacknowledged.grace
    keys = book.watch.take(now, book.requests.keys)
    waiting = [book.requests[key] for key in keys if book.is_waiting(key)]
    moments = {r.request_id: _next(r.respond_by, (grace,), now) for r in waiting}
    for key in keys:
        book.watch.watch(key, moments.get(key))
    found = _coordination_unacknowledged(state.organisations, waiting, now, thresholds)
    return Found(found, COORDINATION_UNACKNOWLEDGED, keys)


def _coordination_unacknowledged(
    organisations: OrganisationRegistry,
    requests: Iterable[CoordinationRequest],
    now: datetime,
    thresholds: Thresholds,
) -> dict[str, Condition]:
    grace = thresholds.coordination_unacknowledged.grace
    found: dict[str, Condition] = {}
    for request in requests:
        if now <= request.respond_by + grace:
            continue
        addressee = org_name(organisations, request.addressee)
        found[signal_id(COORDINATION_UNACKNOWLEDGED, request.request_id)] = Condition(
            rule=COORDINATION_UNACKNOWLEDGED,
            severity=SignalSeverity.WARNING,
            title=f"Coordination request not acknowledged by {addressee}",
            details=(
                f"Request {request.request_id} to {addressee} "
                f"({request.addressee}) was to be acknowledged by "
                f"{dt_to_json(request.respond_by)}."
            ),
            regions=_regions(organisations, (request.addressee,)),
            evidence=(request.evidence_id,),
            audience=request.audience,
        )
    return found
