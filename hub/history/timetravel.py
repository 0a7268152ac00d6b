"""What a replay shows an analyst: the views and signals as they stood at a moment of the log.

:func:`state_at` reads a :class:`~hub.history.replay.ReplayResult` (folded up to
``until``): the view records the compacted topics would hold, and the escalation events. With
``since``, only what ticks after that time produced is listed (views whose record was computed
after it, signal events of later ticks); the state itself is always folded from the beginning
of the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.contracts.outputs import CAPACITY, SCENARIOS, SITUATION, EscalationEvent, View
from hub.history.readers import active_signals
from hub.history.replay import ReplayResult

__all__ = ["ReplayState", "state_at"]

_KINDS = (SITUATION, CAPACITY, SCENARIOS)


@dataclass
class ReplayState:
    """Views by kind and key, and signal events, as a replay leaves them."""

    last_tick: int | None
    as_of: datetime | None
    events: int
    ticks: int
    views: dict[str, dict[str, View]] = field(default_factory=dict)
    signals: list[EscalationEvent] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON-able data (views keyed as on their topics)."""
        return {
            "last_tick": self.last_tick,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "events": self.events,
            "ticks": self.ticks,
            "views": {
                kind: {key: view.model_dump(mode="json") for key, view in records.items()}
                for kind, records in self.views.items()
            },
            "signals": [signal.model_dump(mode="json") for signal in self.signals],
        }


def state_at(
    result: ReplayResult, since: datetime | None = None, all_signals: bool = False
) -> ReplayState:
    """Return the views and signals of ``result``: active signals, or every event with ``all``."""
    outputs = [o for o in result.outputs if since is None or o.now > since]
    history = [signal for o in outputs for signal in o.signals]
    state = ReplayState(
        result.projector.projection.last_tick,
        result.outputs[-1].now if result.outputs else None,
        result.events,
        result.ticks,
        views={kind: {} for kind in _KINDS},
        signals=history if all_signals else active_signals(history),
    )
    published = result.projector.projection.published_views()
    for kind, key, view in sorted(published, key=lambda record: (record.kind, record.key)):
        if since is None or view.as_of > since:
            state.views.setdefault(kind, {})[key] = view
    return state
