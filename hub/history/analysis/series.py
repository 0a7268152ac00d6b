"""The series a crisis report plots, taken from a replay's tick outputs (not reinterpreted).

Every point is a view record or escalation event that the projection published at a tick, so
the report shows exactly what the live hub showed over time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from hub.contracts.outputs import EscalationResolved, RegionView, ResourceCapacityView
from hub.history.replay import ReplayResult

__all__ = ["CapacityPoint", "GripPoint", "ReportSeries", "SignalSpan", "report_series"]


@dataclass(frozen=True)
class GripPoint:
    """A region's highest active GRIP level from a tick on (None: no active incident)."""

    time: datetime
    tick: int
    grip: str | None


@dataclass(frozen=True)
class CapacityPoint:
    """National capacity of a resource type from a tick on."""

    time: datetime
    tick: int
    available: int
    total: int


@dataclass
class SignalSpan:
    """An escalation signal from when it was raised to when it was resolved (None: still on)."""

    signal_id: str
    rule: str
    severity: str
    title: str
    raised_at: datetime
    resolved_at: datetime | None = None


@dataclass
class ReportSeries:
    """Every plotted series: GRIP per region, capacity per resource type, signal spans."""

    grip: dict[str, list[GripPoint]] = field(default_factory=dict)
    capacity: dict[str, list[CapacityPoint]] = field(default_factory=dict)
    signals: list[SignalSpan] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the series as JSON-able data (times in RFC 3339)."""
        return {
            "grip": {k: [_plain(p) for p in v] for k, v in self.grip.items()},
            "capacity": {k: [_plain(p) for p in v] for k, v in self.capacity.items()},
            "signals": [_plain(span) for span in self.signals],
        }


def _plain(item: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(item).items()}


def report_series(result: ReplayResult) -> ReportSeries:
    """Return the series of ``result``'s tick outputs; regions only once they had an incident."""
    series = ReportSeries()
    open_spans: dict[str, SignalSpan] = {}
    for outputs in result.outputs:
        for _, _, view in outputs.views:
            if isinstance(view, RegionView):
                _add_grip(series, view)
            elif isinstance(view, ResourceCapacityView):
                _add_capacity(series, view)
        for signal in outputs.signals:
            data = signal.data
            span = open_spans.get(data.signal_id)
            if span is None:
                span = SignalSpan(
                    data.signal_id, data.rule, data.severity.value, data.title, data.since
                )
                open_spans[data.signal_id] = span
                series.signals.append(span)
            if isinstance(signal, EscalationResolved):
                span.resolved_at = data.observed_at
                del open_spans[data.signal_id]
    return series


def _add_grip(series: ReportSeries, view: RegionView) -> None:
    points = series.grip.get(view.region_id)
    if points is None and view.highest_grip is None:
        return  # a region shows up once it has an incident
    point = GripPoint(view.as_of, view.tick, view.highest_grip)
    if points is None:
        series.grip[view.region_id] = [point]
    elif points[-1].grip != point.grip:
        points.append(point)


def _add_capacity(series: ReportSeries, view: ResourceCapacityView) -> None:
    points = series.capacity.setdefault(view.resource_type, [])
    if not points or (points[-1].available, points[-1].total) != (view.available, view.total):
        points.append(CapacityPoint(view.as_of, view.tick, view.available, view.total))
