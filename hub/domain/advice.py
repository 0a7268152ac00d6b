"""Advice on measures: the requests and decisions (state), and the hub's drafts (at ticks).

:class:`AdviceBook` (state, changed by events) keeps each ``nl.kcr.advice.requested`` from
an organisation whose role may request advice and, in log order, every validation or
rejection sent about it (all events of one advice share its id as subject). Other requests
and decisions about unknown advice are ignored and counted.

:class:`AdviceDesk` (workflow state, changed only at ticks) drafts the advice at the first
tick after the request (:func:`hub.domain.feasibility.draft_advice`) and sends it to the
validators only (TLP RED). It then goes through the decisions in log order. It does not trust
the gateway: a decision counts only when its sender has the validator role
(``advice.validator_role``) and the advice is not yet decided. The first one that counts
publishes the draft to the requester (validated) or tells the requester why it was rejected;
every other decision is answered with ``nl.kcr.advice.validation_refused`` to its sender.

Nothing of the desk depends on time, so a tick looks only at the requests events touched
since the last tick (``full=True`` looks at every live one: the oracle of the tests). An
advice decided (published or rejected) is scheduled at that tick to leave the live state
``finished_grace`` later (:meth:`AdviceDesk.retire_due`), with its draft; a decision sent
within the grace is still refused, one sent later is ignored and counted, as for unknown
advice. Advice never decided expires: at its ``needed_by``, or without one ``max_open`` after
the tick that drafted it (``[live_state]``), the first tick past that moment schedules it to
leave ``finished_grace`` later (a due-time queue, :mod:`hub.domain.due`, so no tick scans the
undecided advice); a decision within the grace still counts, one sent later is ignored and
counted. The queue is not stored: a restored desk rebuilds it from the drafts and requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from hub.contracts.events.advice import AdviceRejected, AdviceRequested, AdviceValidated
from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs import (
    AdviceDraftData,
    AdviceDrafted,
    AdviceEvent,
    AdvicePublished,
    AdviceRejectionNoted,
    AdviceValidationRefused,
)
from hub.contracts.outputs.advice import (
    AdvicePublishedData,
    AdviceRejectionNotedData,
    AdviceValidationRefusedData,
)
from hub.contracts.outputs.base import DIRECTED_TLP, output_event_id, stricter
from hub.domain._common import opt_dt_from_json, opt_dt_to_json
from hub.domain.audience import answers_requester, request_limit
from hub.domain.due import DueQueue
from hub.domain.feasibility import AdviceSubject, draft_advice
from hub.domain.measures import MeasureCatalogue, load_measures
from hub.domain.output_kinds import WorkflowOutputs
from hub.domain.retiring import RetirementQueue
from hub.domain.step_context import StepContext
from hub.domain.thresholds import Thresholds
from hub.domain.workflow_settings import AdviceSettings

if TYPE_CHECKING:
    from hub.domain.state import HubState

__all__ = ["AdviceBook", "AdviceDesk", "AdviceRequest", "Decision"]

DecisionKind = Literal["validated", "rejected"]


class Decision(NamedTuple):
    """A validation or rejection as sent: by whom, with which note or reason, in which event."""

    kind: DecisionKind
    sender: str
    text: str
    event_id: str
    tlp: str = "AMBER"
    """The decision's own label: with :attr:`recipients`, who else may see it."""
    recipients: tuple[str, ...] = ()


@dataclass(slots=True)
class AdviceRequest:
    """One request for advice and the decisions sent about it, in log order."""

    subject: AdviceSubject
    event_id: str
    tlp: str
    correlation_id: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    needed_by: datetime | None = None
    recipients: tuple[str, ...] = ()
    """The request's named recipients: with a RED or AMBER_STRICT label, who may see it."""

    @property
    def limit(self) -> frozenset[str] | None:
        """Whom the hub may involve on its behalf (None: whomever the workflow picks)."""
        regions = () if self.subject.region is None else (self.subject.region,)
        return request_limit(self.tlp, self.recipients, regions, self.subject.requester)


class AdviceBook:
    """Every advice request seen, with the decisions sent about it."""

    def __init__(self, organisations: OrganisationRegistry) -> None:
        """Start empty; events count only from senders ``organisations`` lets publish them."""
        self.organisations = organisations
        self.requests: dict[str, AdviceRequest] = {}
        self.ignored = 0
        self._touched: set[str] = set()

    def take_touched(self) -> set[str]:
        """Return and forget the ids of the live requests events touched since the last call."""
        touched, self._touched = self._touched, set()
        return touched

    def retire(self, advice_id: str) -> None:
        """Forget ``advice_id`` and its decisions (events about it are then ignored)."""
        self.requests.pop(advice_id, None)
        self._touched.discard(advice_id)

    def apply(self, event: EventEnvelope) -> None:
        """Apply an advice event; other events are no concern of the book."""
        if isinstance(event, AdviceRequested):
            self._requested(event)
        elif isinstance(event, AdviceValidated | AdviceRejected):
            self._decided(event)

    def _requested(self, event: AdviceRequested) -> None:
        data = event.data
        known = self.requests.get(data.advice_id)
        if known is not None:
            self.ignored += known.event_id != event.id
            return
        if not self.organisations.may_publish(event.source, event.type):
            self.ignored += 1
            return
        subject = AdviceSubject(
            advice_id=data.advice_id,
            requester=event.source,
            measure=data.measure,
            parameters=tuple((p.name, p.value) for p in data.parameters),
            region=data.region,
            incident_id=data.incident_id,
        )
        self.requests[data.advice_id] = AdviceRequest(
            subject,
            event.id,
            event.tlp.value,
            event.correlationid,
            needed_by=data.needed_by,
            recipients=event.recipients,
        )
        self._touched.add(data.advice_id)

    def _decided(self, event: AdviceValidated | AdviceRejected) -> None:
        request = self.requests.get(event.data.advice_id)
        if request is None:
            self.ignored += 1
            return
        if any(d.event_id == event.id for d in request.decisions):
            return
        if not answers_requester(event, request.subject.requester):
            self.ignored += 1  # a RED decision its requester may not see decides nothing
            return
        if isinstance(event, AdviceValidated):
            decision = Decision(
                "validated", event.source, event.data.note, event.id, *_label_of(event)
            )
        else:
            decision = Decision(
                "rejected", event.source, event.data.reason, event.id, *_label_of(event)
            )
        request.decisions.append(decision)
        self._touched.add(event.data.advice_id)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the book as a JSON-able dict."""
        return {
            "ignored": self.ignored,
            "requests": {
                key: {
                    "subject": _subject_json(r.subject),
                    "event_id": r.event_id,
                    "tlp": r.tlp,
                    "correlation_id": r.correlation_id,
                    "decisions": [list(d) for d in r.decisions],
                    "needed_by": opt_dt_to_json(r.needed_by),
                    "recipients": list(r.recipients),
                }
                for key, r in self.requests.items()
            },
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], organisations: OrganisationRegistry) -> AdviceBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict (every request counts as touched)."""
        book = cls(organisations)
        book.ignored = int(data["ignored"])
        for item in data["requests"].values():
            subject = AdviceSubject(
                **{
                    **item["subject"],
                    "parameters": tuple(map(tuple, item["subject"]["parameters"])),
                }
            )
            book.requests[subject.advice_id] = AdviceRequest(
                subject,
                item["event_id"],
                item["tlp"],
                item["correlation_id"],
                [_decision(d) for d in item["decisions"]],
                opt_dt_from_json(item["needed_by"]),
                tuple(item.get("recipients", ())),
            )
        book._touched.update(book.requests)
        return book


def _subject_json(subject: AdviceSubject) -> dict[str, Any]:
    return {**subject._asdict(), "parameters": [list(p) for p in subject.parameters]}


@dataclass(slots=True)
class _Progress:
    draft: AdviceDraftData
    handled: int = 0
    decided_by: str | None = None


class AdviceDesk:
    """The drafts the hub made and the decisions it handled, changed only at ticks."""

    def __init__(self, settings: AdviceSettings, catalogue: MeasureCatalogue | None = None) -> None:
        self.settings = settings
        self.catalogue = catalogue or load_measures()
        self.progress: dict[str, _Progress] = {}
        self.retiring = RetirementQueue()
        self.expiring = DueQueue()
        """Undecided advice by the moment it expires; not stored (rebuilt after a restore)."""
        self._rebuild = False

    def step(self, state: HubState, context: StepContext) -> WorkflowOutputs:
        """Draft new advice and handle new decisions at the context's moment; return them.

        Looks at the touched requests (every live one when ``context.full``); advice seen
        decided is scheduled to leave the live state ``finished_grace`` later.
        """
        book, now = state.advice, context.now
        at, retire_at = (now, context.tick), now + context.finished_grace
        max_open = context.thresholds.live_state.max_open
        outputs: list[AdviceEvent] = []
        touched = book.take_touched()
        for advice_id in sorted(
            book.requests if context.full else touched.intersection(book.requests)
        ):
            request = book.requests[advice_id]
            progress = self.progress.get(advice_id)
            if progress is None:
                draft = draft_advice(request.subject, state.capacity, self.catalogue, context)
                progress = self.progress[advice_id] = _Progress(draft)
                validators = self.settings.validators(context.organisations)
                outputs.append(self._drafted(request, draft, at, validators))
                self._watch_expiry(book, advice_id, max_open)
            for decision in request.decisions[progress.handled :]:
                outputs.append(self._decide(request, progress, decision, context))
            progress.handled = len(request.decisions)
            if progress.decided_by is not None:
                self.retiring.schedule(advice_id, retire_at)
                self.expiring.discard(advice_id)
        self._expire(book, now, context.thresholds)
        return WorkflowOutputs(advice=outputs)

    def _watch_expiry(self, book: AdviceBook, advice_id: str, max_open: timedelta) -> None:
        """Queue ``advice_id`` for its expiry unless it is decided or already leaving."""
        progress, request = self.progress[advice_id], book.requests.get(advice_id)
        if request is None or progress.decided_by is not None or advice_id in self.retiring:
            return
        self.expiring.put(advice_id, request.needed_by or progress.draft.drafted_at + max_open)

    def _expire(self, book: AdviceBook, now: datetime, thresholds: Thresholds) -> None:
        """Schedule the undecided advice whose expiry ``now`` has passed to leave the state."""
        live = thresholds.live_state
        if self._rebuild:
            self._rebuild = False
            for advice_id in sorted(self.progress):
                self._watch_expiry(book, advice_id, live.max_open)
        for advice_id in self.expiring.pop_passed(now):
            progress = self.progress.get(advice_id)
            if progress is not None and progress.decided_by is None:
                self.retiring.schedule(advice_id, now + live.finished_grace)

    def retire_due(self, book: AdviceBook, now: datetime) -> list[str]:
        """Let the decided advice due at ``now`` leave the book and the desk; return the ids."""
        retired = self.retiring.pop_due(now)
        for advice_id in retired:
            book.retire(advice_id)
            self.progress.pop(advice_id, None)
            self.expiring.discard(advice_id)
        return retired

    def _drafted(
        self,
        request: AdviceRequest,
        draft: AdviceDraftData,
        at: tuple[datetime, int],
        validators: tuple[str, ...],
    ) -> AdviceDrafted:
        return AdviceDrafted(
            id=output_event_id(draft.advice_id, "drafted", at[1]),
            subject=draft.advice_id,
            time=at[0],
            tlp=Tlp.RED,
            correlationid=request.correlation_id,
            causationid=request.event_id,
            recipients=_validators(validators, request),
            data=draft,
        )

    def _decide(
        self,
        request: AdviceRequest,
        progress: _Progress,
        decision: Decision,
        context: StepContext,
    ) -> AdviceEvent:
        at = (context.now, context.tick)
        role = context.organisations.role_of(decision.sender).name
        if role != self.settings.validator_role:
            reason = (
                f"{decision.sender} has role {role!r}; only organisations of role "
                f"{self.settings.validator_role!r} may validate or reject advice"
            )
            return _refused(request, decision, reason, at)
        if progress.decided_by is not None:
            reason = (
                f"advice {request.subject.advice_id} was already decided by {progress.decided_by}"
            )
            return _refused(request, decision, reason, at)
        progress.decided_by = decision.sender
        return _decided(request, progress.draft, decision, at)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the workflow state as a JSON-able dict (per advice, keyed by its id)."""
        return {
            "progress": {
                advice_id: {
                    "draft": p.draft.model_dump(mode="json"),
                    "handled": p.handled,
                    "decided_by": p.decided_by,
                }
                for advice_id, p in self.progress.items()
            },
            "retiring": self.retiring.to_snapshot(),
        }

    @classmethod
    def from_snapshot(
        cls,
        data: dict[str, Any],
        settings: AdviceSettings,
        catalogue: MeasureCatalogue | None = None,
    ) -> AdviceDesk:
        """Rebuild the workflow state from :meth:`to_snapshot`'s dict."""
        desk = cls(settings, catalogue)
        desk.retiring = RetirementQueue.from_snapshot(data["retiring"])
        desk._rebuild = True  # the expiry queue is rebuilt at the next step
        for advice_id, item in data["progress"].items():
            draft = AdviceDraftData.model_validate(item["draft"])
            desk.progress[advice_id] = _Progress(draft, item["handled"], item["decided_by"])
        return desk


def _envelope(
    request: AdviceRequest, decision: Decision, verb: str, at: tuple[datetime, int]
) -> dict[str, Any]:
    advice_id = request.subject.advice_id
    return {
        "id": output_event_id(f"{advice_id}/{decision.event_id}", verb, at[1]),
        "subject": advice_id,
        "time": at[0],
        "tlp": stricter(Tlp(request.tlp), DIRECTED_TLP),
        "correlationid": request.correlation_id,
        "causationid": decision.event_id,
    }


def _decided(
    request: AdviceRequest, draft: AdviceDraftData, decision: Decision, at: tuple[datetime, int]
) -> AdviceEvent:
    requester = (request.subject.requester,)
    if decision.kind == "validated":
        return AdvicePublished(
            **_envelope(request, decision, "published", at),
            recipients=requester,
            data=AdvicePublishedData(
                advice_id=draft.advice_id,
                draft=draft,
                validated_by=decision.sender,
                note=decision.text,
                validated_event_id=decision.event_id,
            ),
        )
    return AdviceRejectionNoted(
        **_envelope(request, decision, "rejection_noted", at),
        recipients=requester,
        data=AdviceRejectionNotedData(
            advice_id=draft.advice_id,
            draft=draft,
            rejected_by=decision.sender,
            reason=decision.text,
            rejected_event_id=decision.event_id,
        ),
    )


def _refused(
    request: AdviceRequest, decision: Decision, reason: str, at: tuple[datetime, int]
) -> AdviceValidationRefused:
    return AdviceValidationRefused(
        **_envelope(request, decision, "validation_refused", at),
        recipients=(decision.sender,),
        data=AdviceValidationRefusedData(
            advice_id=request.subject.advice_id,
            sender=decision.sender,
            attempted=decision.kind,
            refused_event_id=decision.event_id,
            reason=reason,
        ),
    )


def _validators(validators: tuple[str, ...], request: AdviceRequest) -> tuple[str, ...]:
    """The validators a draft may go to: those the request's label allows.

    A RED or AMBER_STRICT request that names no validator has its draft go back to the
    requester alone (nobody else may see it, so nobody else can validate it).
    """
    limit = request.limit
    if limit is None:
        return validators
    return tuple(v for v in validators if v in limit) or (request.subject.requester,)


def _label_of(event: EventEnvelope) -> tuple[str, tuple[str, ...]]:
    """An event's label as a decision keeps it."""
    return event.tlp.value, event.recipients


def _decision(stored: list[Any]) -> Decision:
    """A decision from its stored list (older ones without a label are AMBER)."""
    kind, sender, text, event_id, *label = stored
    tlp, recipients = label if label else ("AMBER", ())
    return Decision(kind, sender, text, event_id, tlp, tuple(recipients))
