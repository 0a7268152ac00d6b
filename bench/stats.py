"""Pure figures of the national crisis scenario: percentiles with losses, lag trend, goals."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median
from typing import Any

__all__ = [
    "ISSUE_15_GOALS",
    "crisis_goals",
    "lag_trend",
    "latency_stats",
    "median_or_none",
    "state_writes",
]


def latency_stats(
    seconds: Sequence[float], missing: int = 0, waited: Sequence[float] = ()
) -> dict[str, Any]:
    """p50/p95/p99/max in ms of ``seconds``, counting ``missing`` samples as never arrived.

    A sample that never arrived is slower than every one that did: a percentile that falls
    among them is ``None`` (unknown) and ``complete`` is false. ``waited``: how long each
    missing sample was waited for; its percentile is then bounded from below
    (``p99_at_least_ms``): the quantile with each missing sample at its wait.
    """
    ordered = sorted(seconds)
    total = len(ordered) + missing
    out: dict[str, Any] = {"count": len(ordered), "sent": total, "missing": missing,
                           "complete": missing == 0}  # fmt: skip
    if not total:
        return out
    bounded = sorted([*ordered, *waited]) if len(waited) == missing else []
    for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        index = min(total - 1, int(q * total))
        out[f"{name}_ms"] = round(ordered[index] * 1000, 1) if index < len(ordered) else None
        if out[f"{name}_ms"] is None and bounded:
            out[f"{name}_at_least_ms"] = round(bounded[index] * 1000, 1)
    out["max_ms"] = round(ordered[-1] * 1000, 1) if ordered and not missing else None
    return out


def lag_trend(samples: Sequence[tuple[float, float]]) -> dict[str, float | None]:
    """Least-squares slope (records/s) of lag over time, with the first, last and largest lag.

    A flat lag has a slope near zero: the worker keeps up. A positive slope is the rate at
    which it falls behind.
    """
    if not samples:
        return {"slope_per_s": None, "first": None, "last": None, "max": None}
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_y = sum(y for _, y in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    slope = sum((t - mean_t) * (y - mean_y) for t, y in samples) / spread if spread > 0 else 0.0
    return {"slope_per_s": round(slope, 2), "first": samples[0][1], "last": samples[-1][1],
            "max": max(y for _, y in samples)}  # fmt: skip


def state_writes(records: Sequence[tuple[float, int]], start: float, end: float) -> dict[str, Any]:
    """Bytes of state written per second between ``start`` and ``end`` (records: (time, size))."""
    inside = [size for t, size in records if start <= t <= end]
    seconds = max(end - start, 1e-9)
    return {"records": len(inside), "bytes": sum(inside), "seconds": round(seconds, 1),
            "bytes_per_s": round(sum(inside) / seconds, 1),
            "largest": max(inside, default=0)}  # fmt: skip


def median_or_none(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return median(values) if values else None


FLAT_SHARE = 0.02
"""A lag is flat when it grows by less than 2 % of the incoming rate (records/s per event/s)."""

ISSUE_15_GOALS: dict[str, str] = {
    "nc_view_p99_ms_at_200": "p99 < 250 ms, 20,000 active incidents",
    "nc_view_p99_ms_at_1000": "p99 < 500 ms, 20,000 active incidents",
    "nc_lag_slope_at_1000": "flat lag at 1,000/s (slope < 2 % of the rate)",
    "processors_per_s_issue15": "≥ 20,000 events/s (100,000-event log)",
    "tick_cost_ratio": "tick at 100,000 active ≤ 2x the tick at 10",
    "largest_state_record_bytes": "≤ 64 KiB after 1,000,000 events",
    "restart_to_live_s": "< 15 s with a 1,000,000-event history",
    "idle_cpu_percent": "< 5 % of a core with a large state",
}
"""Issue 15's goals (its table), by the name under which ``goals`` judges them."""


def crisis_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 15's goals from whatever of the scenario ran: value, target, met, and a note.

    A goal whose figure could not be measured in full is not met: an unknown p99 (more than
    1 % of the incidents never arrived), a tick that did not finish in its time, a long
    history the worker did not get through.
    """
    out: dict[str, dict[str, Any]] = {}

    def goal(name: str, value: float | None, target: float, met: bool, note: str = "") -> None:
        out[name] = {"value": value, "target": target, "met": met, "note": note}

    crisis = results.get("national_crisis") or {}
    for rate, target in (("200", 250.0), ("1000", 500.0)):
        stats = (crisis.get("rates", {}).get(rate) or {}).get("view")
        if stats and stats.get("sent"):
            p99 = stats.get("p99_ms")
            note = "" if p99 is not None else f"{stats['missing']} of {stats['sent']} never seen"
            goal(f"nc_view_p99_ms_at_{rate}", p99, target, p99 is not None and p99 < target, note)
    at_1000 = crisis.get("rates", {}).get("1000")
    if at_1000 and at_1000.get("lag", {}).get("slope_per_s") is not None:
        slope = at_1000["lag"]["slope_per_s"]
        bound = FLAT_SHARE * 1000
        note = f"over {at_1000['seconds']:.0f} s (goal: 5 minutes)"
        goal("nc_lag_slope_at_1000", slope, bound, slope < bound, note)
    processors = results.get("processors")
    if processors:
        rate = processors["events_per_s"]
        goal("processors_per_s_issue15", rate, 20_000, rate >= 20_000)
    ticks = results.get("tick_cost") or {}
    if "base_s" in ticks:
        largest, ratio = ticks.get("largest_active", 0), ticks.get("ratio")
        unfinished = ticks.get("unfinished_active")
        if unfinished is not None:
            note = f"the tick at {unfinished:,} active did not finish in its time"
        else:
            note = "" if largest >= 100_000 else f"measured up to {largest:,} active"
        full = unfinished is None and largest >= 100_000
        goal("tick_cost_ratio", ratio if unfinished is None else None, 2.0,
             full and ratio is not None and ratio <= 2.0, note)  # fmt: skip
    long = results.get("long_history") or {}
    if long:
        largest_record = long.get("largest_state_record")
        reached = long.get("records_covered")
        wanted = long.get("log_records") or 0
        done = bool(wanted) and reached is not None and reached >= wanted
        covered = "none committed" if reached is None else f"{reached:,}"
        note = "" if done else f"the worker covered {covered} of {wanted:,} log records"
        value = float(largest_record) if largest_record is not None else None
        goal("largest_state_record_bytes", value, 65_536,
             done and value is not None and value <= 65_536, note)  # fmt: skip
        restart = long.get("restart_to_live_s")
        goal("restart_to_live_s", restart, 15.0, restart is not None and restart < 15,
             "" if restart is not None else long.get("restart_note", "not live"))  # fmt: skip
    idle = crisis.get("idle") or {}
    if idle.get("cpu_percent") is not None:
        busy = idle.get("lag_at_start") or 0
        note = f"still {busy:,} records behind when sampled" if busy else ""
        goal("idle_cpu_percent", idle["cpu_percent"], 5.0, idle["cpu_percent"] < 5 and not busy,
             note)  # fmt: skip
    return out
