"""The benchmark's goal judgement, its table and the top frames of its profiles (no broker)."""

from __future__ import annotations

import time
from typing import Any

from pyinstrument import Profiler
from rich.console import Console

from bench.__main__ import goals, table
from bench.profiling import top_frames


def _results(processors_per_s: float, p99_at_200: float) -> dict[str, Any]:
    stats = {"count": 10, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": p99_at_200, "max_ms": 400.0}
    replay = {"events": 1000, "ticks": 2, "seconds": 0.05, "events_per_s": 20_000.0,
              "peak_rss_mb": 100.0, "cpu_seconds": 0.05}  # fmt: skip
    return {
        "baseline_pipe_per_s": 10_000.0,
        "baseline_decode_per_s": 30_000.0,
        "gateway_per_s": 5_000.0,
        "replay": replay,
        "processors": {**replay, "events_per_s": processors_per_s, "startup_seconds": 3.0},
        "archive_replay": {**replay, "events_per_s": 12_000.0},
        "archive_export": {
            "events": 1000,
            "seconds": 0.1,
            "events_per_s": 10_000.0,
            "file_mb": 0.1,
        },
        "baseline_archive_read_per_s": 40_000.0,
        "gateway_top_frames": ["a (x.py:1) 1.00s"],
        "replay_top_frames": ["b (y.py:2) 1.00s"],
        "kafka_producer_per_s": 1e6,
        "kafka_consumer_per_s": 1e6,
        "latency": {"50": {"view": stats}, "200": {"view": stats, "outbox": {"count": 0}}},
    }


def test_each_goal_is_judged_against_its_target() -> None:
    """Ratios and rates against their targets; latency below its bound; no samples: no goal."""
    judged = goals(_results(processors_per_s=9_000, p99_at_200=120))

    assert judged["gateway_ratio_to_pipe"]["met"] is True  # 50 % of the pipe
    assert judged["processors_per_s"]["met"] is False
    assert judged["replay_ratio_to_decode"]["met"] is True  # 67 % of decode
    assert judged["replay_per_s"]["met"] is True  # 1M in 50 s at this rate
    assert judged["archive_replay_per_s"]["met"] is False  # 1M in 83 s
    assert judged["e2e_view_p99_ms_at_200"]["met"] is True
    assert "e2e_outbox_p99_ms_at_200" not in judged  # no samples, nothing to judge


def test_the_table_says_where_a_goal_is_missed() -> None:
    """A missed goal reads NO in its row; rows without a goal say nothing either way."""
    results = _results(processors_per_s=9_000, p99_at_200=300)
    results["goals"] = goals(results)
    console = Console(width=400, record=True)
    console.print(table(results))
    lines = console.export_text().splitlines()

    def row(measure: str) -> str:
        return next(line for line in lines if measure in line)

    assert "NO" in row("processors, 1 worker (events/s)")
    assert "NO" in row("e2e view latency @ 200/s")
    assert "yes" in row("gateway ingest")
    assert "yes" not in row("e2e view latency @ 50/s")
    assert "NO" not in row("e2e view latency @ 50/s")


def _busy(seconds: float) -> int:
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        n += 1
    return n


def _sleepy() -> None:
    time.sleep(0.2)


def test_top_frames_names_three_real_functions_with_their_own_time() -> None:
    """Three functions by their own time, pyinstrument's pseudo-frames folded into them."""
    profiler = Profiler(interval=0.001)
    profiler.start()
    _busy(0.3)
    _sleepy()
    _busy(0.1)
    profiler.stop()

    frames = top_frames(profiler)

    assert len(frames) == 3
    assert not any(name.startswith("[") for name in frames)  # no [self] / [await] pseudo-frames
    assert frames[0].startswith("_busy (")
