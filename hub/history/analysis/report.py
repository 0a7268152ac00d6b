"""``kcr report``: PNG plots of a crisis (matplotlib, Agg backend), each with its data as JSON.

Three figures, each written as ``<name>.png`` with ``<name>.json`` beside it holding exactly
the plotted series: ``grip_levels`` (highest GRIP level per region over time),
``capacity`` (national available and total per resource type over time) and ``signals``
(escalation signals as bars from raised to resolved).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import matplotlib as mpl

mpl.use("Agg")  # before pyplot: files only, no display

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from hub.contracts.reference import load_reference
from hub.history.analysis.series import ReportSeries

__all__ = ["write_report"]

_date_number = cast(Callable[[datetime], float], mdates.date2num)  # untyped in matplotlib


def write_report(series: ReportSeries, out: Path, end: datetime | None = None) -> list[Path]:
    """Write the three figures and their JSON to directory ``out``; return the PNG paths.

    ``end`` (the last tick's time) closes the step lines and the bars of unresolved signals.
    """
    out.mkdir(parents=True, exist_ok=True)
    data = series.to_json()
    figures = {
        "grip_levels": (_grip_figure(series, end), data["grip"]),
        "capacity": (_capacity_figure(series, end), data["capacity"]),
        "signals": (_signals_figure(series, end), data["signals"]),
    }
    written = []
    for name, (figure, plotted) in figures.items():
        png = out / f"{name}.png"
        figure.savefig(png, dpi=100)
        plt.close(figure)
        (out / f"{name}.json").write_text(_json(plotted), encoding="utf-8")
        written.append(png)
    return written


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _grip_figure(series: ReportSeries, end: datetime | None) -> Figure:
    reference = load_reference()
    figure, axes = plt.subplots(figsize=(10, 5))
    for region, points in sorted(series.grip.items()):
        times = _times([p.time for p in points], end)
        ranks = [_rank(reference.grip_rank, p.grip) for p in points]
        axes.step(times, (ranks + ranks[-1:]) if end else ranks, where="post", label=region)
    levels = reference.grip_levels
    axes.set_yticks([-1, *(level.rank for level in levels)], ["none", *(lv.code for lv in levels)])
    _finish(figure, axes, "Highest GRIP level per region", "GRIP", bool(series.grip))
    return figure


def _times(times: list[datetime], end: datetime | None) -> list[float]:
    """Matplotlib date numbers of ``times``, plus ``end`` to draw the last step to it."""
    return [_date_number(t) for t in [*times, *([end] if end else [])]]


def _rank(rank_of: Any, code: str | None) -> int:
    return -1 if code is None else int(rank_of(code))


def _capacity_figure(series: ReportSeries, end: datetime | None) -> Figure:
    figure, axes = plt.subplots(figsize=(10, 5))
    for resource, points in sorted(series.capacity.items()):
        times = _times([p.time for p in points], end)
        colour = None
        for field, style in (("available", "-"), ("total", ":")):
            values = [getattr(p, field) for p in points]
            values += values[-1:] if end else []
            label = f"{resource} {field}"
            (line,) = axes.step(times, values, style, where="post", label=label, color=colour)
            colour = line.get_color()
    _finish(figure, axes, "National capacity per resource type", "units", bool(series.capacity))
    return figure


def _signals_figure(series: ReportSeries, end: datetime | None) -> Figure:
    figure, axes = plt.subplots(figsize=(10, 1.5 + 0.4 * max(len(series.signals), 1)))
    colours = {"info": "tab:blue", "warning": "tab:orange", "critical": "tab:red"}
    for row, span in enumerate(series.signals):
        stop = span.resolved_at or end or span.raised_at
        width = max((stop - span.raised_at).total_seconds(), 1.0) / 86400  # matplotlib days
        start = _date_number(span.raised_at)
        axes.barh(row, width, left=start, color=colours.get(span.severity, "tab:gray"))
    axes.set_yticks(range(len(series.signals)), [s.signal_id for s in series.signals])
    _finish(figure, axes, "Escalation signals (raised → resolved)", "", False)
    return figure


def _finish(figure: Figure, axes: Any, title: str, ylabel: str, legend: bool) -> None:
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.set_xlabel("time (UTC)")
    axes.xaxis_date()
    if legend:
        axes.legend(loc="best", fontsize="small")
    figure.autofmt_xdate()
    figure.tight_layout()
