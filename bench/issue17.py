"""Issue 17's goals: the gateway and the history reader on librdkafka, judged from the results.

Pure: reads the results of :mod:`bench.__main__` (whichever parts ran), no broker.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ISSUE_17_GOALS", "REPLAY_EVENTS", "issue17_goals", "per_million_s", "start_seconds"]

REPLAY_EVENTS = 1_000_000
"""The replay and the gateway's start are judged over a log of this many records."""

ISSUE_17_GOALS: dict[str, str] = {
    "gateway_per_s": "≥ 30,000 events/s",
    "gateway_ratio_to_txn_pipe": "≥ 40 % of the transactional librdkafka pipe",
    "gateway_sustained_s": "sustained ≥ 60 s",
    "gateway_start_s": "< 10 s with 1,000,000 log records",
    "replay_1m_s": "1,000,000 events in < 15 s",
    "replay_peak_rss_mb": "peak RSS < 400 MB (1,000,000 events)",
    "archive_replay_per_s_issue17": "≥ 100,000 events/s",
}
"""Issue 17's goals, by the name under which :func:`issue17_goals` judges them."""


def per_million_s(events: int, events_per_s: float) -> float:
    """Seconds for :data:`REPLAY_EVENTS` at ``events_per_s`` (the measured time at 1M)."""
    return REPLAY_EVENTS / events_per_s if events_per_s > 0 else float("inf")


def start_seconds(spawned_at: float, ready_at: float) -> float:
    """Seconds from a child's spawn to its readiness (two ``time.time()`` readings)."""
    return max(0.0, ready_at - spawned_at)


def _smaller(events: int) -> str:
    """A note when a figure was measured over fewer records than the goal names."""
    return "" if events >= REPLAY_EVENTS else f"measured over {events:,} records, not 1,000,000"


def issue17_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each issue 17 goal of the parts that ran: value, target, met, and a note.

    A figure measured over fewer than 1,000,000 records (a ``--quick`` run) is judged by rate
    and says so in its note; the gateway's start is judged on a restart (the window rebuilt,
    the ownership book read back), the first start's one-off ownership backfill is noted.
    """
    out: dict[str, dict[str, Any]] = {}

    def goal(name: str, value: float | None, target: float, met: bool, note: str = "") -> None:
        out[name] = {"value": value, "target": target, "met": met, "note": note}

    gateway = results.get("gateway_per_s")
    if gateway is not None:
        goal("gateway_per_s", gateway, 30_000, gateway >= 30_000)
        seconds = results.get("gateway_seconds")
        if seconds is not None:
            goal("gateway_sustained_s", seconds, 60, seconds >= 60)
        txn = (results.get("baseline_rdkafka_pipe") or {}).get("transactional")
        if txn:
            ratio = gateway / txn["records_per_s"]
            goal("gateway_ratio_to_txn_pipe", ratio, 0.40, ratio >= 0.40)
    start = results.get("gateway_start")
    if start:
        restart, first = start["restart"]["seconds"], start["first"]["seconds"]
        backfill = f"first start (ownership backfill) {first:.1f} s"
        note = "; ".join(n for n in (_smaller(start["log_records"]), backfill) if n)
        goal("gateway_start_s", restart, 10.0, restart < 10, note)
    replay = results.get("replay")
    if replay:
        seconds = per_million_s(replay["events"], replay["events_per_s"])
        note = _smaller(replay["events"])
        goal("replay_1m_s", seconds, 15.0, seconds < 15, note)
        rss = replay["peak_rss_mb"]
        goal("replay_peak_rss_mb", rss, 400.0, rss < 400 and not note, note)
    archive = results.get("archive_replay")
    if archive:
        rate = archive["events_per_s"]
        goal("archive_replay_per_s_issue17", rate, 100_000, rate >= 100_000)
    return out
