"""Information requests: the questions, their answers, and the hub's fan-out at each tick.

:class:`InformationBook` (state, changed by events): a request from an organisation whose role
may publish ``nl.kcr.information.requested`` (the domain checks it again), its addressees
(``all-regions`` expanded, the requester left out) and the latest answer of each addressee.
Answers from others and events of unknown requests are ignored and counted. All events of one
request share its id as subject, so they arrive in order; a second request with a known id is
ignored.

:class:`InformationDesk` (workflow state, changed only at ticks): at the first tick after the
request it forwards the question to each addressee; once ``reminder_fraction`` of the time from
the request (hub time) to ``respond_by`` has passed, and before ``respond_by``, it reminds each
addressee that has not answered, once; and it sends the requester a summary whenever the
answers or their being overdue change (the first summary comes with the fan-out).

A tick looks only at the requests events touched since the last tick and the *pending* ones
(an addressee has not answered and ``respond_by`` has not passed) whose moment has come: their
reminders falling due, or ``respond_by`` passed (the overdue summary). Two due-time queues
(:mod:`hub.domain.due`, not stored: a restored desk looks at every request once) hold those
moments, so a tick never scans the pending requests; any other request would send nothing
(``full=True`` looks at every live one: the oracle of the tests). A request is *finished* at
the first tick that sees it not pending (everyone answered, or past ``respond_by``), its
summary sent: it leaves the live state ``finished_grace`` later
(:meth:`InformationDesk.retire_due`), with the desk's progress. After that an answer to it is
ignored and counted (no new summary), and its ``information_overdue`` signal resolves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.events.information import InformationProvided, InformationRequested
from hub.contracts.organisations import (
    ALL_REGIONS,
    OrganisationKind,
    OrganisationRegistry,
    load_registry,
)
from hub.contracts.outputs import (
    InformationAnswer,
    InformationEvent,
    InformationForwarded,
    InformationReminded,
    InformationSummarised,
)
from hub.contracts.outputs.base import DIRECTED_TLP, output_event_id, stricter
from hub.contracts.outputs.information import InformationQuestionData, InformationSummaryData
from hub.domain._common import dt_from_json, dt_to_json, hub_time
from hub.domain.audience import answers_requester, request_limit
from hub.domain.due import DueQueue, DueWatch
from hub.domain.output_kinds import WorkflowOutputs
from hub.domain.retiring import RetirementQueue, SortedIds
from hub.domain.step_context import StepContext
from hub.domain.workflow_settings import InformationSettings

if TYPE_CHECKING:
    from hub.domain.state import HubState

__all__ = [
    "Answer",
    "InformationBook",
    "InformationDesk",
    "InformationRequest",
    "expand_addressees",
]


@dataclass(frozen=True, slots=True)
class Answer:
    """The latest answer of one addressee."""

    answer: str
    attachments: tuple[str, ...]
    answered_at: datetime
    event_id: str
    tlp: str = "AMBER"
    """The answer's own label: with :attr:`recipients`, who else may see it."""
    recipients: tuple[str, ...] = ()


@dataclass(slots=True)
class InformationRequest:
    """One information request and the answers so far, by addressee."""

    request_id: str
    requester: str
    question: str
    addressees: tuple[str, ...]
    respond_by: datetime
    requested_at: datetime
    event_id: str
    tlp: str
    correlation_id: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    recipients: tuple[str, ...] = ()
    """The request's named recipients (a RED request's addressees are all among them)."""

    @property
    def limit(self) -> frozenset[str] | None:
        """Whom the hub may involve on its behalf (None: whomever the workflow picks)."""
        return request_limit(self.tlp, self.recipients, self.addressees, self.requester)

    def outstanding(self) -> tuple[str, ...]:
        """Return the addressees without an answer, in addressee order."""
        return tuple(org for org in self.addressees if org not in self.answers)


def expand_addressees(
    addressees: tuple[str, ...], requester: str, registry: OrganisationRegistry
) -> tuple[str, ...]:
    """Return ``addressees`` with ``all-regions`` expanded, without repeats.

    The requester is never asked its own question, nor the hub itself (it has no outbox).
    """
    regions = registry.region_ids()
    expanded = (org for name in addressees for org in (regions if name == ALL_REGIONS else (name,)))
    hub = {o.id for o in registry.organisations() if o.kind is OrganisationKind.HUB}
    return tuple(dict.fromkeys(org for org in expanded if org != requester and org not in hub))


class InformationBook:
    """Every live information request and its answers; those unanswered are indexed."""

    def __init__(self, organisations: OrganisationRegistry | None = None) -> None:
        """Start empty; ``organisations`` defaults to the packaged organisation registry."""
        self.organisations = organisations or load_registry()
        self.requests: dict[str, InformationRequest] = {}
        self.ignored = 0
        self._unanswered = SortedIds()
        self._touched: set[str] = set()
        self.watch = DueWatch()
        """Requests the overdue rule looks at again (changed, or past due); not stored."""
        self._handlers: Mapping[type[EventEnvelope], Callable[[Any], None]] = {
            InformationRequested: self._requested,
            InformationProvided: self._provided,
        }

    def apply(self, event: EventEnvelope) -> None:
        """Apply an information event; other events are no concern of the book."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _requested(self, event: InformationRequested) -> None:
        data = event.data
        known = self.requests.get(data.request_id)
        if known is not None:
            self.ignored += known.event_id != event.id
            return
        if not self.organisations.may_publish(event.source, event.type):
            self.ignored += 1
            return
        self.requests[data.request_id] = InformationRequest(
            request_id=data.request_id,
            requester=event.source,
            question=data.question,
            addressees=expand_addressees(data.addressees, event.source, self.organisations),
            respond_by=data.respond_by,
            requested_at=hub_time(event),
            event_id=event.id,
            tlp=event.tlp.value,
            correlation_id=event.correlationid,
            recipients=event.recipients,
        )
        self._refresh(self.requests[data.request_id])

    def _refresh(self, request: InformationRequest) -> None:
        self._touched.add(request.request_id)
        self.watch.touch(request.request_id)
        self._unanswered.put(request.request_id, bool(request.outstanding()))

    def unanswered(self) -> Iterator[InformationRequest]:
        """Yield the requests an addressee has not answered, by request id (from the index)."""
        return (self.requests[key] for key in self._unanswered)

    def take_touched(self) -> set[str]:
        """Return and forget the ids of the live requests events touched since the last call."""
        touched, self._touched = self._touched, set()
        return touched

    def retire(self, request_id: str) -> None:
        """Forget ``request_id`` and its answers (events about it are then ignored)."""
        self.requests.pop(request_id, None)
        self._unanswered.put(request_id, False)
        self._touched.discard(request_id)
        self.watch.touch(request_id)

    def _provided(self, event: InformationProvided) -> None:
        request = self.requests.get(event.data.request_id)
        if request is None or event.source not in request.addressees:
            self.ignored += 1
            return
        if not answers_requester(event, request.requester):
            self.ignored += 1  # a RED answer its requester may not see answers nobody
            return
        request.answers[event.source] = Answer(
            event.data.answer,
            event.data.attachments,
            hub_time(event),
            event.id,
            event.tlp.value,
            event.recipients,
        )
        self._refresh(request)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict."""
        return {
            "ignored": self.ignored,
            "requests": {key: _request_json(r) for key, r in self.requests.items()},
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], organisations: OrganisationRegistry | None = None
    ) -> InformationBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict (every request counts as touched)."""
        book = cls(organisations)
        book.ignored = int(data["ignored"])
        for item in data["requests"].values():
            request = _request_from_json(item)
            book.requests[request.request_id] = request
            book._refresh(request)
        return book


def _request_json(request: InformationRequest) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "requester": request.requester,
        "question": request.question,
        "addressees": list(request.addressees),
        "respond_by": dt_to_json(request.respond_by),
        "requested_at": dt_to_json(request.requested_at),
        "event_id": request.event_id,
        "tlp": request.tlp,
        "correlation_id": request.correlation_id,
        "recipients": list(request.recipients),
        "answers": {
            org: [
                a.answer,
                list(a.attachments),
                dt_to_json(a.answered_at),
                a.event_id,
                a.tlp,
                list(a.recipients),
            ]
            for org, a in request.answers.items()
        },
    }


def _request_from_json(item: dict[str, Any]) -> InformationRequest:
    return InformationRequest(
        request_id=item["request_id"],
        requester=item["requester"],
        question=item["question"],
        addressees=tuple(item["addressees"]),
        respond_by=dt_from_json(item["respond_by"]),
        requested_at=dt_from_json(item["requested_at"]),
        event_id=item["event_id"],
        tlp=item["tlp"],
        correlation_id=item["correlation_id"],
        recipients=tuple(item.get("recipients", ())),
        answers={
            org: Answer(text, tuple(links), dt_from_json(at), event_id, *_label(label))
            for org, (text, links, at, event_id, *label) in item["answers"].items()
        },
    )


@dataclass(slots=True)
class _Progress:
    forwarded: bool = False
    reminded: list[str] = field(default_factory=list)
    summary: list[Any] | None = None
    """What the last summary showed: the answer event ids by addressee, and 'overdue'."""


class InformationDesk:
    """The hub's fan-out, reminders and summaries of information requests, changed at ticks."""

    def __init__(self, settings: InformationSettings) -> None:
        self.settings = settings
        self.progress: dict[str, _Progress] = {}
        self.retiring = RetirementQueue()
        self.reminding = DueQueue()
        """Pending requests by the moment their reminders fall due; not stored."""
        self.overdue = DueQueue()
        """Pending requests by their ``respond_by`` (overdue once past it); not stored."""
        self._look: set[str] = set()  # looked at once at the next step (after a restore)

    def step(self, state: HubState, context: StepContext) -> WorkflowOutputs:
        """Forward, remind and summarise at the context's moment; return the outputs, by id.

        Looks at the touched and pending requests (every live one when ``context.full``); a
        request seen finished is scheduled to leave the live state ``finished_grace`` later.
        """
        book, now, tick = state.information, context.now, context.tick
        outputs: list[InformationEvent] = []
        looked = book.take_touched() | self._look
        looked.update(self.reminding.pop_reached(now), self.overdue.pop_passed(now))
        self._look = set()
        chosen = book.requests if context.full else looked.intersection(book.requests)
        for request_id in sorted(chosen):
            request = book.requests[request_id]
            progress = self.progress.setdefault(request_id, _Progress())
            if not progress.forwarded:
                progress.forwarded = True
                outputs += [
                    _question(InformationForwarded, request, org, now, tick)
                    for org in request.addressees
                ]
            outputs += self._reminders(request, progress, now, tick)
            overdue = bool(request.outstanding()) and now > request.respond_by
            shown = [sorted((org, a.event_id) for org, a in request.answers.items()), overdue]
            if shown != progress.summary:
                progress.summary = shown
                outputs.append(_summary(request, overdue, now, tick))
            self._note(request, now, context.finished_grace)
        return WorkflowOutputs(information=outputs)

    def _note(self, request: InformationRequest, now: datetime, grace: timedelta) -> None:
        """Queue ``request`` for the moments time may change it, or schedule it to leave.

        While pending (an addressee has not answered, ``respond_by`` not passed), a request is
        looked at again when its reminders fall due (if still ahead) and once ``respond_by``
        has passed; events about it touch it meanwhile.
        """
        request_id = request.request_id
        if request.outstanding() and now <= request.respond_by:
            remind_at = self._remind_at(request)
            if now < remind_at:
                self.reminding.put(request_id, remind_at)
            else:
                self.reminding.discard(
                    request_id
                )  # reminded at this tick: outstanding only shrinks
            self.overdue.put(request_id, request.respond_by)
        else:
            self.reminding.discard(request_id)
            self.overdue.discard(request_id)
            self.retiring.schedule(request_id, now + grace)

    def _remind_at(self, request: InformationRequest) -> datetime:
        """The moment from which the outstanding addressees of ``request`` are reminded."""
        window = request.respond_by - request.requested_at
        return request.requested_at + window * self.settings.reminder_fraction

    def retire_due(self, book: InformationBook, now: datetime) -> list[str]:
        """Let the finished requests due at ``now`` leave the book and the desk; return them."""
        retired = self.retiring.pop_due(now)
        for request_id in retired:
            book.retire(request_id)
            self.progress.pop(request_id, None)
            self.reminding.discard(request_id)
            self.overdue.discard(request_id)
        return retired

    def _reminders(
        self, request: InformationRequest, progress: _Progress, now: datetime, tick: int
    ) -> list[InformationEvent]:
        if not self._remind_at(request) <= now <= request.respond_by:
            return []
        due = [org for org in request.outstanding() if org not in progress.reminded]
        progress.reminded += due
        return [_question(InformationReminded, request, org, now, tick) for org in due]

    def to_snapshot(self) -> dict[str, Any]:
        """Return the workflow state as a JSON-able dict (per request, keyed by its id)."""
        return {
            "progress": {
                request_id: {
                    "forwarded": p.forwarded,
                    "reminded": p.reminded,
                    "summary": p.summary,
                }
                for request_id, p in self.progress.items()
            },
            "retiring": self.retiring.to_snapshot(),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], settings: InformationSettings) -> InformationDesk:
        """Rebuild the workflow state from :meth:`to_snapshot`'s dict (all pending once)."""
        desk = cls(settings)
        desk.retiring = RetirementQueue.from_snapshot(data["retiring"])
        desk._look = set(data["progress"])  # the queues are rebuilt as each is looked at
        for request_id, item in data["progress"].items():
            summary = item["summary"]
            if summary is not None:
                summary = [[tuple(pair) for pair in summary[0]], summary[1]]
            desk.progress[request_id] = _Progress(
                item["forwarded"], list(item["reminded"]), summary
            )
        return desk


def _envelope(request: InformationRequest, event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "subject": request.request_id,
        "tlp": stricter(Tlp(request.tlp), DIRECTED_TLP),
        "correlationid": request.correlation_id,
        "causationid": request.event_id,
    }


def _question(
    cls: type[InformationForwarded] | type[InformationReminded],
    request: InformationRequest,
    addressee: str,
    now: datetime,
    tick: int,
) -> InformationEvent:
    verb = cls.declared_type().rsplit(".", 1)[1]
    return cls(
        **_envelope(request, output_event_id(f"{request.request_id}/{addressee}", verb, tick)),
        time=now,
        recipients=(addressee,),
        data=InformationQuestionData(
            request_id=request.request_id,
            requester=request.requester,
            addressee=addressee,
            question=request.question,
            respond_by=request.respond_by,
        ),
    )


def _summary(
    request: InformationRequest, overdue: bool, now: datetime, tick: int
) -> InformationSummarised:
    answers = tuple(
        InformationAnswer(
            org_id=org,
            answer=answer.answer,
            attachments=answer.attachments,
            answered_at=answer.answered_at,
            event_id=answer.event_id,
        )
        for org in request.addressees
        if (answer := request.answers.get(org)) is not None
    )
    return InformationSummarised(
        **_envelope(request, output_event_id(request.request_id, "summarised", tick)),
        time=now,
        recipients=(request.requester,),
        data=InformationSummaryData(
            request_id=request.request_id,
            question=request.question,
            respond_by=request.respond_by,
            addressees=request.addressees,
            answered=answers,
            outstanding=request.outstanding(),
            overdue=overdue,
            observed_at=now,
        ),
    )


def _label(stored: list[Any]) -> tuple[str, tuple[str, ...]]:
    """An answer's stored ``[tlp, recipients]`` (AMBER and none if not stored)."""
    if not stored:
        return "AMBER", ()
    tlp, recipients = stored
    return tlp, tuple(recipients)
