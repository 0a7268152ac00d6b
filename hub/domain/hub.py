"""The hub's projection as a whole: events in; views and escalation signals out at each tick.

The same object runs inside the Faust workers (live), inside ``kcr replay`` (history) and in
the unit tests. It never reads a clock: time comes only from the hub's clock ticks, so live and
replay give the same outputs from the same log. ``apply`` is cheap per event; views and rules
are evaluated at :meth:`HubProjection.tick`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.contracts.events.clock import ClockTicked
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.fields import to_utc
from hub.contracts.outputs import EscalationEvent
from hub.domain.rules import evaluate
from hub.domain.signals import SignalBook
from hub.domain.state import DEFAULT_DEDUPE_WINDOW, HubState
from hub.domain.thresholds import Thresholds, load_thresholds
from hub.domain.views import ViewBook, ViewRecord

__all__ = ["SNAPSHOT_VERSION", "HubProjection", "TickOutputs"]

SNAPSHOT_VERSION = 1
"""Version of the snapshot layout; :meth:`HubProjection.from_snapshot` refuses others."""


@dataclass(frozen=True)
class TickOutputs:
    """What one tick produces: changed view records and escalation events, both in order."""

    tick: int
    now: datetime
    views: list[ViewRecord] = field(default_factory=list)
    signals: list[EscalationEvent] = field(default_factory=list)


class HubProjection:
    """Every projection of the hub, the escalation rules and the signal and view books.

    ``thresholds`` defaults to the packaged ``escalation.toml``. A tick whose number is not
    above the last one evaluated is a redelivery: it produces nothing and changes nothing.
    """

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        *,
        dedupe_window: int = DEFAULT_DEDUPE_WINDOW,
    ) -> None:
        self.thresholds = thresholds or load_thresholds()
        self.state = HubState.empty(dedupe_window)
        self.signal_book = SignalBook()
        self.view_book = ViewBook()
        self.last_tick: int | None = None

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
        """Evaluate the views and rules at ``now``; return what changed since the last tick."""
        now = to_utc(now)
        if self.last_tick is not None and tick <= self.last_tick:
            return TickOutputs(tick, now)
        self.last_tick = tick
        self.state.activity.note_tick(now)
        views = self.view_book.changed_views(self.state, now, tick, self.thresholds)
        conditions = evaluate(self.state, now, self.thresholds)
        signals = self.signal_book.step(conditions, now, tick)
        return TickOutputs(tick, now, views, signals)

    def on_clock(self, event: ClockTicked) -> TickOutputs:
        """Evaluate a clock tick event: :meth:`tick` at its time and number."""
        return self.tick(event.time, event.data.tick)

    def views_all(self, now: datetime, tick: int) -> list[ViewRecord]:
        """Return every view record as it is at ``now``, stamped with ``tick`` (changes nothing)."""
        return self.view_book.all_views(self.state, to_utc(now), tick, self.thresholds)

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
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], thresholds: Thresholds | None = None
    ) -> HubProjection:
        """Rebuild a projection from :meth:`to_snapshot`'s dict; it continues where it was."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(
                f"snapshot version {data.get('version')!r} is not {SNAPSHOT_VERSION}; "
                "rebuild the state by replaying the log"
            )
        projection = cls(thresholds)
        projection.last_tick = data["last_tick"]
        projection.state = HubState.from_snapshot(data["state"])
        projection.signal_book = SignalBook.from_snapshot(data["signals"])
        projection.view_book = ViewBook.from_snapshot(data["views"])
        return projection
