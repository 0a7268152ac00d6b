"""The state of the hub's projections, together: what the rules, workflows and router read.

Everything here changes only by applying events from the log (the coordination book also
records the requests the hub issues at ticks). The workflow state that changes at ticks
lives in :class:`hub.domain.workflows.Workflows`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.reference import ReferenceData
from hub.domain.activity import ActivityProjection
from hub.domain.advice import AdviceBook
from hub.domain.assistance import AssistanceBook
from hub.domain.audience import Visibility
from hub.domain.capacity import CapacityProjection
from hub.domain.coordination import CoordinationBook
from hub.domain.information import InformationBook
from hub.domain.scenarios import ScenarioBook
from hub.domain.situation import SituationProjection
from hub.domain.subscriptions import SubscriptionBook

__all__ = ["DEFAULT_DEDUPE_WINDOW", "HubState"]

DEFAULT_DEDUPE_WINDOW = 50_000
"""How many recent incident events are remembered to drop redelivered duplicates."""

_Apply = Callable[[EventEnvelope], None]
_SHARED_LABELS = frozenset({Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER})


@dataclass
class HubState:
    """The projections; :meth:`apply` hands each event to every one it concerns.

    ``organisations`` and ``reference`` are the organisation registry and reference data the
    state was built with (:meth:`empty`): the books check senders against that registry, and
    the rules, the router and whoever reads the state take names, regions, roles, GRIP ranks,
    units and labels from these two, not from the packaged ones.
    """

    organisations: OrganisationRegistry = field(compare=False, repr=False)
    reference: ReferenceData = field(compare=False, repr=False)
    situation: SituationProjection
    capacity: CapacityProjection
    activity: ActivityProjection
    assistance: AssistanceBook
    coordination: CoordinationBook
    information: InformationBook
    advice: AdviceBook
    scenarios: ScenarioBook
    subscriptions: SubscriptionBook
    visibility: Visibility = field(compare=False, repr=False)
    """Which events the shared aggregates (and the activity behind silence) may count."""
    _routes: dict[type[EventEnvelope], tuple[_Apply, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def empty(
        cls,
        organisations: OrganisationRegistry,
        reference: ReferenceData,
        *,
        dedupe_window: int = DEFAULT_DEDUPE_WINDOW,
        visibility: Visibility | None = None,
    ) -> HubState:
        """Return the state before any event, for ``organisations`` and ``reference``.

        ``organisations`` is handed to every book that checks who may publish what;
        ``visibility`` (default: that registry's, views AMBER) decides which events the shared
        aggregates may count.
        """
        visibility = visibility or Visibility(organisations)
        return cls(
            organisations=organisations,
            reference=reference,
            situation=SituationProjection(dedupe_window, visibility),
            activity=ActivityProjection(),
            coordination=CoordinationBook(),
            subscriptions=SubscriptionBook(organisations),
            **_books(organisations, reference, visibility),
            visibility=visibility,
        )

    def apply(self, event: EventEnvelope) -> None:
        """Apply ``event`` to every projection it concerns.

        Activity (a partner's last sign of life, shown in region views and behind the silence
        signal) sees every event that everyone the source's region view reaches may see: a RED
        event tells nobody else when it was sent.
        """
        route = self._routes.get(type(event))
        if route is None:
            route = self._routes[type(event)] = self._route(event)
        for apply in route:
            apply(event)

    def _route(self, event: EventEnvelope) -> tuple[_Apply, ...]:
        by_family: dict[str, _Apply] = {
            "incident": self.situation.apply,
            "sitrep": self.situation.apply,
            "capacity": self.capacity.apply,
            "assistance": self.assistance.apply,
            "coordination": self.coordination.apply,
            "information": self.information.apply,
            "advice": self.advice.apply,
            "scenario": self.scenarios.apply,
            "subscription": self.subscriptions.apply,
        }
        if event.family == "clock":
            return ()  # the hub's own ticks are time, not a sign of life of a partner
        own = by_family.get(event.family)
        return (self._activity,) if own is None else (self._activity, own)

    def _activity(self, event: EventEnvelope) -> None:
        visibility = self.visibility
        if visibility.amber_is_shared and event.tlp in _SHARED_LABELS:
            self.activity.apply(event)  # the usual case, without building its audience
            return
        source = event.source
        reach = visibility.view_audience((source,) if source in visibility.regions else ())
        if visibility.shares(visibility.of_event(event), reach, visibility.view_tlp):
            self.activity.apply(event)

    def to_snapshot(self) -> dict[str, Any]:
        """Return every projection's state as one JSON-able dict."""
        return {
            "situation": self.situation.to_snapshot(),
            "capacity": self.capacity.to_snapshot(),
            "activity": self.activity.to_snapshot(),
            "assistance": self.assistance.to_snapshot(),
            "coordination": self.coordination.to_snapshot(),
            "information": self.information.to_snapshot(),
            "advice": self.advice.to_snapshot(),
            "scenarios": self.scenarios.to_snapshot(),
            "subscriptions": self.subscriptions.to_snapshot(),
        }

    @classmethod
    def from_snapshot(
        cls,
        data: dict[str, Any],
        organisations: OrganisationRegistry,
        reference: ReferenceData,
        visibility: Visibility | None = None,
    ) -> HubState:
        """Rebuild the state from :meth:`to_snapshot`'s dict (arguments as in :meth:`empty`)."""
        orgs, visibility = organisations, visibility or Visibility(organisations)
        return cls(
            organisations=organisations,
            reference=reference,
            situation=SituationProjection.from_snapshot(data["situation"], visibility),
            capacity=CapacityProjection.from_snapshot(data["capacity"], orgs, visibility),
            activity=ActivityProjection.from_snapshot(data["activity"]),
            assistance=AssistanceBook.from_snapshot(data["assistance"], orgs),
            coordination=CoordinationBook.from_snapshot(data["coordination"]),
            information=InformationBook.from_snapshot(data["information"], orgs),
            advice=AdviceBook.from_snapshot(data["advice"], orgs),
            scenarios=ScenarioBook.from_snapshot(data["scenarios"], orgs, reference),
            subscriptions=SubscriptionBook.from_snapshot(data["subscriptions"], orgs),
            visibility=visibility,
        )


def _books(
    organisations: OrganisationRegistry, reference: ReferenceData, visibility: Visibility
) -> dict[str, Any]:
    """The empty books that check senders against ``organisations``, by field name."""
    return {
        "capacity": CapacityProjection(organisations, visibility),
        "assistance": AssistanceBook(organisations),
        "information": InformationBook(organisations),
        "advice": AdviceBook(organisations),
        "scenarios": ScenarioBook(organisations, reference),
    }
