"""Tick cost against active incidents: the pure projection, the same small change each time.

``python -m bench.tick_cost --active N`` (a child, its memory its own) builds a
:class:`hub.domain.hub.HubProjection` with ``N`` active incidents (25 regions, 5 categories,
started over the last 24 hours), warms it with one tick and one untimed change, then repeats:
one incident updated, one new incident reported, one tick timed. It prints the ticks' times as JSON.

:func:`tick_costs` runs one child per size, smallest first, each within what is left of a
time budget: a size whose ticks do not finish in time is reported as such (its cost is at
least the time it had), and the larger sizes are not tried.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from statistics import median
from typing import Any

from bench.crisis import event_id, history_event, incident_id, incident_region

__all__ = ["measure", "tick_costs"]

HERE = Path(__file__).resolve().parent


def measure(active: int, repeat: int, budget: float) -> dict[str, Any]:
    """Build, warm and time ticks as the module doc says; stop repeating past ``budget`` s."""
    from hub.domain import testing as given
    from hub.domain.hub import HubProjection

    now = given.T0
    began = time.perf_counter()
    projection = HubProjection()
    for n in range(active):
        projection.apply(history_event(n, now))
    built = time.perf_counter() - began
    print(json.dumps({"built_s": round(built, 2)}), flush=True)
    started = time.perf_counter()
    projection.tick(now, 1)
    warm = time.perf_counter() - started
    print(json.dumps({"warm_tick_s": round(warm, 4)}), flush=True)
    costs: list[float] = []
    for r in range(repeat + 1):  # the first change's tick warms the change path: not timed
        at = now + timedelta(seconds=r + 1)
        n = r % active
        projection.apply(given.incident_updated(incident_id(n), at, incident_region(n),
                                                grip_level=str(1 + r % 3),
                                                event_id=event_id(1, r)))  # fmt: skip
        fresh = active + r
        projection.apply(given.incident_reported(incident_id(fresh), at, incident_region(fresh),
                                                 event_id=event_id(2, r)))  # fmt: skip
        gc.collect()
        started = time.perf_counter()
        projection.tick(at, r + 2)
        if r:
            costs.append(time.perf_counter() - started)
        if costs and time.perf_counter() - began > budget:
            break
    return {"active": active, "built_s": round(built, 2), "warm_tick_s": round(warm, 4),
            "ticks_s": [round(c, 6) for c in costs], "median_s": median(costs)}  # fmt: skip


async def _child(active: int, repeat: int, budget: float, timeout: float) -> dict[str, Any]:
    """Run one size; on timeout, say what it had done (built, warmed) and for how long."""
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(HERE.parent)) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.tick_cost", "--active", str(active), "--repeat", str(repeat),
        "--budget", str(budget), env={**os.environ, "PYTHONPATH": path},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stderr is not None
    seen: dict[str, Any] = {"active": active}
    began = time.monotonic()

    async def read() -> None:
        assert child.stdout is not None
        async for line in child.stdout:
            seen.update(json.loads(line))

    try:
        await asyncio.wait_for(read(), timeout=timeout)
        await child.wait()
    except TimeoutError:
        child.kill()
        await child.wait()
        stage = "the first (warm) tick" if "warm_tick_s" not in seen else "the timed ticks"
        if "built_s" not in seen:
            stage = "building the projection"
        return {**seen, "unfinished_after_s": round(time.monotonic() - began, 1),
                "unfinished": stage}  # fmt: skip
    if child.returncode != 0:
        return {"active": active, "error": (await child.stderr.read()).decode()[-1500:]}
    return seen


async def tick_costs(sizes: tuple[int, ...], repeat: int, budget: float) -> dict[str, Any]:
    """Measure each size in a child within what is left of ``budget`` s; the ratio to the first.

    ``ratio``: the median tick at the largest size measured over the median at the smallest;
    ``unfinished_active``: the size whose ticks did not finish in the time left.
    """
    deadline = time.monotonic() + budget
    points: list[dict[str, Any]] = []
    for active in sizes:
        left = deadline - time.monotonic()
        if left < 5:
            points.append({"active": active, "skipped": "no time left in the budget"})
            continue
        if points and "median_s" not in points[-1]:
            points.append({"active": active, "skipped": "a smaller size did not finish"})
            continue
        points.append(await _child(active, repeat, left * 0.6, left))
    out: dict[str, Any] = {"points": points}
    done = [p for p in points if "median_s" in p]
    if done and done[0]["active"] == sizes[0]:
        base = done[0]["median_s"]
        out["base_active"], out["base_s"] = sizes[0], base
        unfinished = next((p for p in points if "unfinished_after_s" in p), None)
        if unfinished is not None:
            out["unfinished_active"] = unfinished["active"]
        if len(done) > 1:
            out["largest_active"] = done[-1]["active"]
            out["ratio"] = round(done[-1]["median_s"] / base, 2)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--active", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=120)
    args = parser.parse_args()
    print(json.dumps(measure(args.active, args.repeat, args.budget)))
