"""PNG plots of the national crisis: latency vs rate, tick cost vs active incidents, lag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

__all__ = ["write_plots"]


def _latency(crisis: dict[str, Any], path: Path) -> bool:
    rates = crisis.get("rates") or {}
    if not rates:
        return False
    figure, axes = plt.subplots(figsize=(7, 4.5))
    xs = sorted(int(r) for r in rates)
    for channel, style in (("view", "-"), ("outbox", "--")):
        for quantile, colour in (("p50_ms", "tab:green"), ("p95_ms", "tab:orange"),
                                 ("p99_ms", "tab:red")):  # fmt: skip
            points = [(x, rates[str(x)][channel].get(quantile)) for x in xs]
            known = [(x, y) for x, y in points if y is not None]
            if known:
                axes.plot(*zip(*known, strict=True), style, marker="o", color=colour,
                          label=f"{channel} {quantile[:3]}")  # fmt: skip
            bound = quantile.replace("_ms", "_at_least_ms")
            floors = [(x, rates[str(x)][channel][bound]) for x in xs
                      if rates[str(x)][channel].get(bound) is not None]  # fmt: skip
            if floors:
                axes.plot(*zip(*floors, strict=True), linestyle="none", marker="^",
                          markerfacecolor="none", color=colour,
                          label=f"{channel} {quantile[:3]} at least (some never seen)")  # fmt: skip
    for x in xs:
        view = rates[str(x)]["view"]
        if not view.get("count") and view.get("sent"):
            axes.annotate(f"none of {view['sent']:,}\nseen", (x, 0.5), fontsize=8, ha="center",
                          xycoords=("data", "axes fraction"), color="red")  # fmt: skip
        if rates[str(x)].get("behind"):
            axes.axvline(x, color="grey", linestyle=":", linewidth=1)
            axes.annotate("behind", (x, 0.95), xycoords=("data", "axes fraction"), fontsize=8,
                          ha="center", color="grey")  # fmt: skip
    axes.set_yscale("log")
    axes.set_xlabel("events/s (live mix)")
    axes.set_ylabel("incident → record latency (ms)")
    axes.set_title(f"Latency vs rate, {crisis.get('active_incidents', 0):,} active incidents")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def _ticks(ticks: dict[str, Any], path: Path) -> bool:
    points = [p for p in ticks.get("points", []) if "median_s" in p]
    if not points:
        return False
    figure, axes = plt.subplots(figsize=(7, 4.5))
    xs = [p["active"] for p in points]
    axes.plot(xs, [p["median_s"] * 1000 for p in points], marker="o", label="tick after a change")
    axes.plot(xs, [p["warm_tick_s"] * 1000 for p in points], marker="s", linestyle="--",
              label="first tick (every view)")  # fmt: skip
    for p in ticks.get("points", []):
        if "unfinished_after_s" in p:
            axes.axvline(p["active"], color="red", linestyle=":")
            axes.annotate(f"{p['active']:,}: unfinished after {p['unfinished_after_s']:.0f} s",
                          (p["active"], 0.9), xycoords=("data", "axes fraction"), fontsize=8,
                          ha="right", color="red")  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("active incidents")
    axes.set_ylabel("tick (ms, median)")
    axes.set_title("Tick cost vs active incidents (goal: ≤ 2x from 10 to 100,000)")
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def _lag(crisis: dict[str, Any], path: Path) -> bool:
    samples = crisis.get("lag_samples") or []
    if not samples:
        return False
    figure, axes = plt.subplots(figsize=(9, 4.5))
    for what, colour in (("processors_lag", "tab:blue"), ("gateway_lag", "tab:purple")):
        known = [(s["t"], s[what]) for s in samples if s.get(what) is not None]
        if known:
            axes.plot(*zip(*known, strict=True), color=colour, label=what.replace("_", " "))
    previous = None
    for s in samples:
        if s["phase"] != previous:
            axes.axvline(s["t"], color="grey", linestyle=":", linewidth=1)
            axes.annotate(s["phase"], (s["t"], 0.98), xycoords=("data", "axes fraction"),
                          fontsize=7, rotation=90, va="top", color="grey")  # fmt: skip
            previous = s["phase"]
    axes.set_xlabel("seconds since the observers started")
    axes.set_ylabel("records behind")
    axes.set_title("Lag over time (log end − committed offsets)")
    axes.legend(fontsize=8)
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def write_plots(results: dict[str, Any], directory: Path, stem: str) -> list[Path]:
    """Write the plots the results have data for as ``<stem>-<name>.png``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    crisis = results.get("national_crisis") or {}
    written = []
    for name, draw, data in (("latency-vs-rate", _latency, crisis),
                             ("tick-cost", _ticks, results.get("tick_cost") or {}),
                             ("lag-over-time", _lag, crisis)):  # fmt: skip
        path = directory / f"{stem}-{name}.png"
        if draw(data, path):
            written.append(path)
    return written
