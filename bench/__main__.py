"""``python -m bench`` (``make bench``): measure the hub and its baselines, write results.json.

Every hub figure is printed with its ratio to the baseline measured in the same run, on the
same broker and data. ``--quick`` runs small sizes (a smoke test of the benchmark itself).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from rich.console import Console
from rich.table import Table

from bench.data import realistic_events
from bench.env import BenchEnv, bench_env, machine
from bench.ingest import bare_decode, bare_pipe, fill_ingress, gateway_drain
from bench.kafka_tools import consumer_performance, producer_performance
from bench.latency import latency_at_rates
from bench.logfill import fill_log
from bench.profiling import save_profile, top_frames
from hub.logs import configure_logging
from hub.topics import TopicSpec
from hub.topics.admin import apply_topics

HERE = Path(__file__).resolve().parent
console = Console(stderr=True)


@dataclass(frozen=True)
class Sizes:
    """How much each measurement uses."""

    ingest: int
    replay: int
    latency_seconds: float
    kafka_records: int


FULL = Sizes(ingest=1_200_000, replay=1_000_000, latency_seconds=20, kafka_records=1_000_000)
QUICK = Sizes(ingest=20_000, replay=20_000, latency_seconds=3, kafka_records=50_000)


async def _ingest(env: BenchEnv, sizes: Sizes, results: dict[str, Any]) -> None:
    codec = env.codec()
    console.log(f"filling the ingress topics with {sizes.ingest} events")
    values = await fill_ingress(env, codec, realistic_events(sizes.ingest))
    results["baseline_decode_per_s"] = bare_decode(codec, values)
    console.log("bare aiokafka pipe")
    results["baseline_pipe_per_s"] = await bare_pipe(env, len(values))
    console.log("gateway")
    rate, seconds = await gateway_drain(env, len(values))
    results["gateway_per_s"], results["gateway_seconds"] = rate, seconds
    sample = max(1000, len(values) // 10)  # profiled apart: the profiler slows what it sees
    console.log(f"gateway profile over {sample} more events")
    await fill_ingress(env, codec, realistic_events(sample, seed=3))
    profiler = Profiler(async_mode="enabled")
    profiler.start()
    await gateway_drain(env, sample)
    profiler.stop()
    save_profile(profiler, HERE / "profiles" / "gateway.txt")
    results["gateway_top_frames"] = top_frames(profiler)


async def _replay(env: BenchEnv, results: dict[str, Any]) -> None:
    """Replay in a child process (for its own peak memory); this loop serves its registry."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.replay_run", "--bootstrap", env.bootstrap,
        "--prefix", env.names.prefix, "--registry", env.registry_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=900)
    if child.returncode != 0:
        raise RuntimeError(f"the replay child failed: {stderr.decode()[-3000:]}")
    results["replay"] = json.loads(stdout.decode().strip().splitlines()[-1])


async def _replay_profile(env: BenchEnv, results: dict[str, Any]) -> None:
    from hub.replay import replay_log

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    await replay_log(env.bootstrap, env.names, env.codec())
    profiler.stop()
    save_profile(profiler, HERE / "profiles" / "replay.txt")
    results["replay_top_frames"] = top_frames(profiler)


async def run(sizes: Sizes, work: Path) -> dict[str, Any]:
    """Run every measurement; return the results."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes.__dict__, "started": started}
    async with bench_env(work) as env:
        topic = f"{env.names.prefix}.bench.kafka"
        await asyncio.to_thread(apply_topics, env.bootstrap, [TopicSpec(topic, "bench")])
        results["kafka_producer_per_s"] = await asyncio.to_thread(
            producer_performance, env.jars, env.bootstrap, topic, sizes.kafka_records
        )
        results["kafka_consumer_per_s"] = await asyncio.to_thread(
            consumer_performance, env.jars, env.bootstrap, topic, sizes.kafka_records)  # fmt: skip
        await _ingest(env, sizes, results)
        async with bench_env(work) as replay_env:
            console.log(f"writing a log of {sizes.replay} events for replay")
            await fill_log(replay_env, replay_env.codec(), realistic_events(sizes.replay, seed=11))
            await _replay(replay_env, results)
            await _replay_profile(replay_env, results)
        async with bench_env(work) as latency_env:
            console.log("end-to-end latency")
            results["latency"] = await latency_at_rates(
                latency_env, (50, 200, 1000), sizes.latency_seconds, work
            )
    return results


def table(results: dict[str, Any]) -> Table:
    """The results as a table, each hub figure with its ratio to its baseline."""
    t = Table("measure", "value", "baseline", "ratio", "goal")
    pipe, decode = results["baseline_pipe_per_s"], results["baseline_decode_per_s"]
    gateway = results["gateway_per_s"]
    t.add_row(
        "gateway ingest (events/s)",
        f"{gateway:,.0f}",
        f"pipe {pipe:,.0f}",
        f"{gateway / pipe:.0%}",
        "≥ 40 % of pipe",
    )
    replay = results["replay"]
    t.add_row(
        "replay (events/s)",
        f"{replay['events_per_s']:,.0f}",
        f"decode {decode:,.0f}",
        f"{replay['events_per_s'] / decode:.0%}",
        "≥ 50 % of decode",
    )
    t.add_row(
        "replay time / peak RSS",
        f"{replay['seconds']:.1f} s / {replay['peak_rss_mb']:.0f} MB",
        f"{replay['events']:,} events",
        "",
        "1M in < 60 s",
    )
    t.add_row("gateway: top frames", "; ".join(results["gateway_top_frames"]), "", "", "")
    t.add_row("replay: top frames", "; ".join(results["replay_top_frames"]), "", "", "")
    t.add_row("kafka ProducerPerformance", f"{results['kafka_producer_per_s']:,.0f}/s", "", "", "")
    t.add_row("kafka ConsumerPerformance", f"{results['kafka_consumer_per_s']:,.0f}/s", "", "", "")
    for rate, paths in results["latency"].items():
        for path, stats in paths.items():
            if stats.get("count"):
                t.add_row(f"e2e {path} latency @ {rate}/s",
                          f"p50 {stats['p50_ms']:.0f} / p95 {stats['p95_ms']:.0f} / "
                          f"p99 {stats['p99_ms']:.0f} / max {stats['max_ms']:.0f} ms",
                          f"{stats['count']} samples", "", "p99 < 250 ms @ 200/s")  # fmt: skip
    return t


def main() -> None:
    """Parse the options, run, write ``bench/results.json`` and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    configure_logging("WARNING")
    work = HERE.parent / ".kcr" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    results = asyncio.run(run(QUICK if args.quick else FULL, work))
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    Console().print(table(results))
    console.log(f"results written to {args.out}")


if __name__ == "__main__":
    main()
