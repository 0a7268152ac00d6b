"""Issue 17's bench goals, the table's rows for them, and the pipe's offsets (no broker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console

from bench.__main__ import goals, table
from bench.issue17 import issue17_goals, per_million_s, start_seconds
from bench.rdkafka_pipe import next_offsets


def _run(events: int, replay_per_s: float, gateway_per_s: float) -> dict[str, Any]:
    replay = {"events": events, "ticks": 2, "seconds": events / replay_per_s,
              "events_per_s": replay_per_s, "peak_rss_mb": 350.0, "cpu_seconds": 1.0}  # fmt: skip
    start = {"seconds": 4.0, "dedupe_s": 2.0, "ownership_s": 1.0, "dedupe_ids": events,
             "owners": 900, "ready_at": 0.0}  # fmt: skip
    return {
        "baseline_pipe_per_s": 30_000.0,
        "baseline_rdkafka_pipe": {
            "plain": {"records_per_s": 100_000.0},
            "transactional": {"records_per_s": 80_000.0},
        },
        "gateway_per_s": gateway_per_s,
        "gateway_seconds": 65.0,
        "ingest_events": 2_000_000,
        "replay": replay,
        "baseline_consume_decode": {"events_per_s": 2 * replay_per_s},
        "archive_replay": {**replay, "events_per_s": 120_000.0},
        "archive_export": {"events": events, "seconds": 1.0, "events_per_s": 1.0, "file_mb": 1.0},
        "baseline_archive_read_per_s": 150_000.0,
        "gateway_start": {
            "log_records": events,
            "first": {**start, "seconds": 12.0},
            "restart": start,
        },
    }


def test_issue17_goals_met_at_a_million() -> None:
    """A 1M run at the goals' rates meets them; the start is judged on the restart."""
    judged = issue17_goals(_run(1_000_000, 80_000, 33_000))

    assert judged["gateway_per_s"]["met"] is True
    assert judged["gateway_ratio_to_txn_pipe"]["met"] is True  # 41 % of 80,000
    assert judged["gateway_sustained_s"]["met"] is True
    assert judged["replay_1m_s"]["met"] is True  # 12.5 s
    assert judged["replay_peak_rss_mb"]["met"] is True
    assert judged["archive_replay_per_s_issue17"]["met"] is True
    assert judged["gateway_start_s"]["met"] is True
    assert "12.0 s" in judged["gateway_start_s"]["note"]  # the first start, noted


def test_issue17_goals_missed_and_small_runs_noted() -> None:
    """Slow figures miss; a run over fewer than 1M records says so, and its RSS proves nothing."""
    judged = issue17_goals(_run(20_000, 10_000, 3_000))

    assert judged["gateway_per_s"]["met"] is False
    assert judged["gateway_ratio_to_txn_pipe"]["met"] is False
    assert judged["replay_1m_s"]["value"] == 100.0
    assert judged["replay_1m_s"]["met"] is False
    assert "20,000" in judged["replay_1m_s"]["note"]
    assert judged["replay_peak_rss_mb"]["met"] is False


def test_only_the_parts_that_ran_are_judged() -> None:
    """A --only history run has no gateway goals, and the table still renders."""
    results = _run(1_000_000, 80_000, 33_000)
    for key in ("gateway_per_s", "gateway_seconds", "baseline_pipe_per_s", "baseline_rdkafka_pipe"):
        del results[key]
    results["goals"] = goals(results)
    assert "gateway_per_s" not in results["goals"]
    assert results["goals"]["replay_ratio_to_consume_decode"]["met"] is True
    console = Console(width=400, record=True)
    console.print(table(results))
    text = console.export_text()
    assert "gateway start → ready" in text
    assert "gateway ingest" not in text


def test_the_table_shows_the_pipes_and_the_ratio_to_the_transactional_one() -> None:
    """The librdkafka pipes beside the aiokafka one; the gateway's share of the txn pipe."""
    results = _run(1_000_000, 80_000, 20_000)
    results["goals"] = goals(results)
    console = Console(width=400, record=True)
    console.print(table(results))
    lines = console.export_text().splitlines()
    row = next(line for line in lines if "gateway vs transactional" in line)
    assert "25%" in row
    assert "NO" in row
    assert any("bare librdkafka pipe, plain" in line and "3.3x" in line for line in lines)


def test_per_million_and_start_seconds() -> None:
    """Time at 1M from a rate; a start never negative (two clocks readings)."""
    assert per_million_s(20_000, 50_000) == 20.0
    assert per_million_s(0, 0) == float("inf")
    assert start_seconds(100.0, 103.5) == 3.5
    assert start_seconds(100.0, 99.9) == 0.0


@dataclass
class _Message:
    where: str
    part: int
    at: int

    def topic(self) -> str:
        return self.where

    def partition(self) -> int:
        return self.part

    def offset(self) -> int:
        return self.at


def test_next_offsets_name_the_offset_after_each_partitions_last_record() -> None:
    """One position per partition: its highest offset plus one."""
    messages = [_Message("a", 0, 5), _Message("a", 1, 2), _Message("a", 0, 7), _Message("b", 0, 0)]
    found = [(tp.topic, tp.partition, tp.offset) for tp in next_offsets(messages)]
    assert found == [("a", 0, 8), ("a", 1, 3), ("b", 0, 1)]
