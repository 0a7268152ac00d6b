"""The hub's projection as a whole: events in; views, signals and workflow outputs at each tick.

The same object runs inside the Faust workers (live), inside ``kcr replay`` (history) and in
the unit tests. It never reads a clock: time comes only from the hub's clock ticks, so live and
replay give the same outputs from the same log. ``apply`` is cheap per event; views, rules,
workflows and routing are evaluated at :meth:`HubProjection.tick`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.contracts.events.clock import ClockTicked
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.fields import to_utc
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.contracts.outputs import EscalationEvent, View
from hub.contracts.reference import ReferenceData, load_reference
from hub.domain.audience import EVERYONE, Audience, Visibility
from hub.domain.conditions import metrics_of
from hub.domain.measures import MeasureCatalogue
from hub.domain.output_kinds import OutputEvents
from hub.domain.routing import Delivery, Routable, route_all
from hub.domain.rules import evaluate
from hub.domain.rules.condition import Condition
from hub.domain.rules.incremental import evaluate_changes
from hub.domain.signals import SignalBook
from hub.domain.state import DEFAULT_DEDUPE_WINDOW, HubState
from hub.domain.step_context import StepContext
from hub.domain.thresholds import Thresholds, load_thresholds
from hub.domain.views import ViewBook, ViewRecord
from hub.domain.workflow_labels import WorkLabel, label_of_work, scenario_audience
from hub.domain.workflow_settings import WorkflowSettings, load_workflow_settings
from hub.domain.workflows import Workflows

__all__ = ["SNAPSHOT_VERSION", "HubProjection", "TickOutputs"]

SNAPSHOT_VERSION = 6
"""Version of the snapshot layout; :meth:`HubProjection.from_snapshot` refuses others."""


@dataclass(frozen=True)
class TickOutputs(OutputEvents):
    """What one tick produces, each list in a deterministic order.

    - the output events by kind (:class:`~hub.domain.output_kinds.OutputEvents`: signals and
      the workflows' events, each kind with its topic);
    - ``views``: changed view records (kinds ``situation``, ``capacity``, ``scenarios``), for
      the compacted topics ``kcr.view.<kind>``;
    - ``deliveries``: the router's answer for each view and event that reaches anyone (views
      first, then the events kind by kind): the output and the organisations whose
      ``kcr.outbox.<org>`` receives it, and whether it is public;
    - ``retired``: views whose subject left the live state (a closed incident after its
      grace), last as published, or whose subject narrowed so that not every reader of the
      view topic may see it any more: their keys get a tombstone on the view topic.

    TLP (:mod:`hub.domain.audience`): ``views`` and ``signals`` hold only what every reader of
    their shared topic may see; a restricted view or signal is only in ``deliveries``, to the
    organisations that may see everything it was derived from.
    """

    tick: int
    now: datetime
    views: list[ViewRecord] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    retired: list[ViewRecord] = field(default_factory=list)

    def outboxes(self) -> dict[str, list[Routable]]:
        """Return per organisation what its outbox receives, in delivery order."""
        boxes: dict[str, list[Routable]] = {}
        for delivery in self.deliveries:
            for org in delivery.recipients:
                boxes.setdefault(org, []).append(delivery.output)
        return boxes


class HubProjection:
    """Every projection of the hub, the rules, the workflows and the signal and view books.

    ``thresholds`` defaults to the packaged ``escalation.toml``, ``settings`` to the packaged
    ``workflows.toml``, ``catalogue`` to ``measures.toml``, ``organisations`` and ``reference``
    to the packaged organisation registry and reference data (a default at the outer edge:
    inside, the domain computes with what the projection was given). The state holds both
    (its books check who may publish what against the organisations; the rules and the router
    read regions, names, roles, GRIP ranks, labels, units and partners from them), the
    workflows get both in their
    :class:`~hub.domain.step_context.StepContext`. A tick whose number is not above
    the last one evaluated is a redelivery: it produces nothing and changes nothing.

    At a tick, in this order: the workflows run (assistance, information, advice, scenarios),
    finished requests whose grace is over leave the live state (so their signals resolve at
    this tick), the changed views are collected, the rules are evaluated into signals, closed
    incidents whose grace is over leave the live state, and every output is routed with the
    subscriptions as they stand (:func:`hub.domain.routing.route`). The result is a
    :class:`TickOutputs`; ``TickOutputs.outboxes()`` groups it per organisation.

    Views and situation rules are evaluated for what the events since the last tick touched
    (:func:`hub.domain.rules.incremental.evaluate_changes`); the workflows look at the
    requests touched or still waiting on time, the request rules read indexes of the open
    requests. With ``full_evaluation`` every view, rule and live request is evaluated whole
    at every tick instead: the oracle of the tests, which gives the same outputs.

    Finished requests leave the live state ``live_state.finished_grace`` after the first
    tick that saw them finished (see :mod:`hub.domain.workflows`): from then on events about
    them are ignored as for unknown requests, their signals resolve, and the units accepted
    for a fulfilled assistance request no longer count as committed capacity.
    """

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        *,
        dedupe_window: int = DEFAULT_DEDUPE_WINDOW,
        settings: WorkflowSettings | None = None,
        catalogue: MeasureCatalogue | None = None,
        organisations: OrganisationRegistry | None = None,
        reference: ReferenceData | None = None,
        full_evaluation: bool = False,
    ) -> None:
        self.full_evaluation = full_evaluation
        self.thresholds = thresholds or load_thresholds()
        self.settings = settings or load_workflow_settings()
        self.catalogue = catalogue
        self.organisations = organisations or load_registry()
        self.reference = reference or load_reference()
        self.visibility = Visibility(self.organisations, self.settings.routing.view_tlp)
        self.state = HubState.empty(
            self.organisations,
            self.reference,
            dedupe_window=dedupe_window,
            visibility=self.visibility,
        )
        self.signal_book = SignalBook()
        self.view_book = ViewBook(self.visibility)
        self.workflows = Workflows(self.settings, catalogue)
        self.last_tick: int | None = None
        self._work_labels: dict[int, WorkLabel] = {}  # this tick's workflow outputs, by id

    def apply(self, event: EventEnvelope) -> None:
        """Apply one event from the log (clock ticks are ignored here: see :meth:`tick`)."""
        self.state.apply(event)

    def apply_all(self, events: Iterable[EventEnvelope]) -> None:
        """Apply ``events`` in order."""
        apply = self.state.apply
        for event in events:
            apply(event)

    def record_coordination_request(
        self, request_id: str, addressee: str, respond_by: datetime, evidence_id: str
    ) -> None:
        """Record a coordination request the hub issued, to watch for its acknowledgement."""
        self.state.coordination.record_request(request_id, addressee, respond_by, evidence_id)

    def tick(self, now: datetime, tick: int) -> TickOutputs:
        """Evaluate the workflows, views and rules at ``now``; return what changed and where to."""
        now = to_utc(now)
        if self.last_tick is not None and tick <= self.last_tick:
            return TickOutputs(tick, now)
        self.last_tick = tick
        situation, th = self.state.situation, self.thresholds
        situation_changes = situation.take_changes()
        situation.schedule_retirement(situation_changes.incidents, now + th.live_state.closed_grace)
        self.state.activity.note_tick(now)
        work = self.workflows.step(self.state, self._context(now, tick))
        self._work_labels = {  # before finished requests leave the state
            id(e): label_of_work(self.state, self.visibility, e) for e in work.events()
        }
        self.workflows.retire_due(self.state, now, th)  # before the rules: their signals resolve
        if self.full_evaluation:
            self.view_book.consider_everything()
        views = self.view_book.changed_views(self.state, situation_changes, now, tick, th)
        views += self.view_book.publish_changed(work.scenarios, self._scenario_label)
        if self.full_evaluation:
            conditions = evaluate(self.state, now, th)
            signals = self.signal_book.step(conditions, now, tick, resolving=self._resolving)
        else:
            found = evaluate_changes(self.state, now, th, situation_changes, self.signal_book)
            signals = self.signal_book.step(
                found.conditions, now, tick, found.evaluated, self._resolving
            )
        retired = self.view_book.take_withdrawn()
        retired += [
            record
            for incident_id in situation.retire_due(now)
            if (record := self.view_book.retire(f"incident/{incident_id}")) is not None
        ]
        shared_signals = [s for s in signals if self._on_signal_topic(s)]
        shared_views = [v for v in views if self.view_book.label_of(v.key) is None]
        by_kind = work.by_kind()
        shared_work = {
            kind: [e for e in events if self._on_workflow_topic(e)]
            for kind, events in by_kind.items()
        }
        outputs = TickOutputs(
            tick, now, shared_views, retired=retired, **{**shared_work, "signals": shared_signals}
        )
        work_events = [e for kind in by_kind.values() for e in kind]
        routed: list[Routable] = [*views, *signals, *work_events]
        view_tlp = self.settings.routing.view_tlp
        outputs.deliveries.extend(
            route_all(routed, self.state.subscriptions, view_tlp, self._audience_of)
        )
        return outputs

    def _resolving(self, condition: Condition) -> Audience | None:
        """Who may see why a signal resolves: the audience now of the incidents it names."""
        incidents = self.state.situation.incidents
        audiences = [incidents[i].audience for i in condition.subjects if i in incidents]
        if not audiences:
            return None
        audience = audiences[0]
        for other in audiences[1:]:
            audience = audience.narrow(other)
        return audience

    def _on_signal_topic(self, signal: EscalationEvent) -> bool:
        """Whether every reader of the signal topic may see ``signal``, under its label."""
        audience = self.signal_book.audience_of(signal.subject)
        readers = self.visibility.signal_readers
        return audience is None or self.visibility.shares(audience, readers, signal.tlp)

    def _audience_of(self, output: Routable) -> Audience | None:
        """Who may see what ``output`` was derived from, when not all it reaches may."""
        if isinstance(output, ViewRecord):
            return self.view_book.label_of(output.key)
        if output.family == "escalation":
            return self.signal_book.audience_of(output.subject)
        label = self._work_labels.get(id(output))
        limit = None if label is None else label.limit
        return None if limit is None else Audience(output.tlp, limit)

    def _scenario_label(self, view: View) -> Audience | None:
        """Who may see what a scenario view derives, if not everyone it reaches may."""
        scenario = self.state.scenarios.scenarios.get(getattr(view, "scenario_id", ""))
        if scenario is None:
            return None
        metrics = [m for i in scenario.indicators if i.node for m in metrics_of(i.node)]
        audience = scenario_audience(self.visibility, scenario, metrics)
        reach = self.visibility.national_audience()
        label = self.visibility.label(audience, reach, self.visibility.view_tlp)
        return None if label == EVERYONE else label

    def _on_workflow_topic(self, output: EventEnvelope) -> bool:
        """Whether every reader of the workflow topics may see what ``output`` comes from."""
        label = self._work_labels.get(id(output))
        return label is None or label.shared

    def _context(self, now: datetime, tick: int) -> StepContext:
        """The tick at ``now`` as the workflows see it, with the projection's dependencies."""
        return StepContext(
            now,
            tick,
            self.thresholds,
            self.organisations,
            self.reference,
            full=self.full_evaluation,
        )

    def on_clock(self, event: ClockTicked) -> TickOutputs:
        """Evaluate a clock tick event: :meth:`tick` at its time and number."""
        return self.tick(event.time, event.data.tick)

    def views_all(self, now: datetime, tick: int) -> list[ViewRecord]:
        """Return every view record as it is at ``now``, stamped with ``tick`` (changes nothing)."""
        now = to_utc(now)
        scenarios = self.workflows.scenario_views(self.state, self._context(now, tick))
        return self.view_book.all_views(self.state, now, tick, self.thresholds, scenarios)

    def published_views(self) -> list[ViewRecord]:
        """Return the last record published per key: what the compacted view topics hold."""
        return self.view_book.published_views()

    def to_snapshot(self) -> dict[str, Any]:
        """Return the whole state as a JSON-able dict, to persist and restore after a restart."""
        return {
            "version": SNAPSHOT_VERSION,
            "last_tick": self.last_tick,
            "state": self.state.to_snapshot(),
            "signals": self.signal_book.to_snapshot(),
            "views": self.view_book.to_snapshot(),
            "workflows": self.workflows.to_snapshot(),
        }

    @classmethod
    def from_snapshot(
        cls,
        data: dict[str, Any],
        thresholds: Thresholds | None = None,
        *,
        settings: WorkflowSettings | None = None,
        catalogue: MeasureCatalogue | None = None,
        organisations: OrganisationRegistry | None = None,
        reference: ReferenceData | None = None,
    ) -> HubProjection:
        """Rebuild a projection from :meth:`to_snapshot`'s dict; it continues where it was."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(
                f"snapshot version {data.get('version')!r} is not {SNAPSHOT_VERSION}; "
                "rebuild the state by replaying the log"
            )
        projection = cls(
            thresholds,
            settings=settings,
            catalogue=catalogue,
            organisations=organisations,
            reference=reference,
        )
        projection.last_tick = data["last_tick"]
        projection.state = HubState.from_snapshot(
            data["state"], projection.organisations, projection.reference, projection.visibility
        )
        projection.signal_book = SignalBook.from_snapshot(data["signals"])
        projection.view_book = ViewBook.from_snapshot(data["views"], projection.visibility)
        projection.view_book.relabel(projection.state)
        projection.workflows = Workflows.from_snapshot(
            data["workflows"], projection.settings, catalogue
        )
        return projection
