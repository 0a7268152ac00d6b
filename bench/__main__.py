"""``python -m bench`` (``make bench``): measure the hub and its baselines, write results.json.

Every hub figure is printed with its ratio to the baseline measured in the same run, on the
same broker and data. ``--quick`` runs small sizes (a smoke test of the benchmark itself).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from rich.console import Console
from rich.table import Table

from bench.archive import bare_archive_read, export_archive
from bench.data import realistic_events
from bench.env import BenchEnv, bench_env, machine
from bench.fastfill import EventPool
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
    """How much each measurement uses; the gateway's share is set by time, not by count."""

    ingest_seconds: float  # the gateway is measured over at least this long
    replay: int  # events in the log that `kcr replay` reads
    processors: int  # events in the smaller log for the Faust worker and the archive
    latency_seconds: float
    kafka_records: int


FULL = Sizes(ingest_seconds=60, replay=1_000_000, processors=100_000, latency_seconds=20,
             kafka_records=500_000)  # fmt: skip
QUICK = Sizes(ingest_seconds=4, replay=20_000, processors=10_000, latency_seconds=3,
              kafka_records=50_000)  # fmt: skip
_PER_TICK = 1000  # events per clock tick in the ready-made logs (bench.logfill)
_CALIBRATION = 20_000  # events the gateway drains first, to size the measured run


async def _ingest(env: BenchEnv, pool: EventPool, sizes: Sizes, results: dict[str, Any]) -> None:
    calibration = min(_CALIBRATION, max(2000, int(sizes.ingest_seconds * 500)))
    console.log(f"gateway warm-up over {calibration} events (sizes the measured run)")
    await fill_ingress(env, pool, calibration, seed=1)
    warm_rate, _ = await gateway_drain(env, calibration)
    count = max(calibration, int(warm_rate * sizes.ingest_seconds * 1.3))  # warm-up is slower
    results["ingest_events"] = count
    console.log(f"filling the ingress topics with {count} events ({warm_rate:,.0f}/s warm-up)")
    values = await fill_ingress(env, pool, count, seed=2)
    results["baseline_decode_per_s"] = bare_decode(pool.codec, values)
    console.log("bare aiokafka pipe")
    results["baseline_pipe_per_s"] = await bare_pipe(env, calibration + count)
    console.log("gateway")
    rate, seconds = await gateway_drain(env, count)
    results["gateway_per_s"], results["gateway_seconds"] = rate, seconds
    sample = max(1000, count // 10)  # profiled apart: the profiler slows what it sees
    console.log(f"gateway profile over {sample} more events")
    await fill_ingress(env, pool, sample, seed=3)
    profiler = Profiler(async_mode="enabled")
    profiler.start()
    await gateway_drain(env, sample)
    profiler.stop()
    save_profile(profiler, HERE / "profiles" / "gateway.txt")
    results["gateway_top_frames"] = top_frames(profiler)


@contextlib.contextmanager
def _phase(results: dict[str, Any], name: str) -> Iterator[None]:
    """Note a phase's wall time and CPU time (this process and its children) in the results."""

    def cpu() -> float:
        own, kids = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    wall, used = time.perf_counter(), cpu()
    try:
        yield
    finally:
        results.setdefault("phases", {})[name] = {
            "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(cpu() - used, 2),
        }


async def _child(
    module: str, *args: str, timeout: float = 900, cwd: Path | None = None
) -> dict[str, Any]:
    """Run ``python -m module args`` (its memory and CPU its own); return its last JSON line.

    ``cwd``: where it runs (Faust makes its data directory there), with bench importable.
    """
    path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=cwd, env={**os.environ, "PYTHONPATH": path},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=timeout)
    if child.returncode != 0:
        raise RuntimeError(f"the {module} child failed: {stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return result


def _env_args(env: BenchEnv) -> tuple[str, ...]:
    return ("--bootstrap", env.bootstrap, "--prefix", env.names.prefix,
            "--registry", env.registry_url)  # fmt: skip


async def _replay(env: BenchEnv, results: dict[str, Any]) -> None:
    """Replay in a child process (for its own peak memory); this loop serves its registry."""
    results["replay"] = await _child("bench.replay_run", *_env_args(env))


async def _processors(env: BenchEnv, work: Path, events: int, results: dict[str, Any]) -> None:
    """The Faust worker in a child over a ready-made log, until the last tick's views are out."""
    ticks = -(-events // _PER_TICK)
    results["processors"] = await _child(
        "bench.worker_run", *_env_args(env), "--records", str(events + ticks),
        "--ticks", str(ticks), "--timeout", "900", timeout=1000, cwd=work,
    )  # fmt: skip


async def _archive(env: BenchEnv, work: Path, results: dict[str, Any]) -> None:
    """Export the replay's log to an archive, read it bare, replay it in a child."""
    path = work / f"{env.names.prefix}.avro"
    try:
        results["archive_export"] = await export_archive(env, path)
        results["baseline_archive_read_per_s"] = await asyncio.to_thread(bare_archive_read, path)
        results["archive_replay"] = await _child("bench.replay_run", "--archive", str(path))
    finally:
        path.unlink(missing_ok=True)


class _SampleDone(Exception):
    """Ends a profiled replay once it has folded its sample."""


async def _replay_profile(env: BenchEnv, sample: int, results: dict[str, Any]) -> None:
    """Profile the replay over its first ``sample`` records (as the gateway, apart, a sample)."""
    from hub.replay import replay_log

    def enough(folded: int) -> None:
        if folded >= sample:
            raise _SampleDone

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    with contextlib.suppress(_SampleDone):
        await replay_log(env.bootstrap, env.names, env.codec(), progress=enough)
    profiler.stop()
    save_profile(profiler, HERE / "profiles" / "replay.txt")
    results["replay_top_frames"] = top_frames(profiler)


async def run(sizes: Sizes, work: Path) -> dict[str, Any]:
    """Run every measurement; return the results."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes.__dict__, "started": started}
    began = time.perf_counter()
    async with bench_env(work) as env:
        topic = f"{env.names.prefix}.bench.kafka"
        await asyncio.to_thread(apply_topics, env.bootstrap, [TopicSpec(topic, "bench")])
        with _phase(results, "kafka tools"):
            results["kafka_producer_per_s"] = await asyncio.to_thread(
                producer_performance, env.jars, env.bootstrap, topic, sizes.kafka_records
            )
            results["kafka_consumer_per_s"] = await asyncio.to_thread(
                consumer_performance, env.jars, env.bootstrap, topic, sizes.kafka_records
            )
        pool = await EventPool.build(env.codec(), realistic_events(5000))
        with _phase(results, "ingest (warm-up, fill, decode, pipe, gateway, profile)"):
            await _ingest(env, pool, sizes, results)
        async with bench_env(work) as replay_env:
            pool = await EventPool.build(replay_env.codec(), realistic_events(5000, seed=11))
            console.log(f"writing a log of {sizes.replay} events for replay")
            with _phase(results, "log fill"):
                await fill_log(replay_env, pool.codec, pool, sizes.replay)
            with _phase(results, "replay"):
                await _replay(replay_env, results)
            with _phase(results, "replay profile"):
                await _replay_profile(
                    replay_env, min(20_000, max(5000, sizes.replay // 20)), results
                )
        async with bench_env(work) as worker_env:
            pool = await EventPool.build(worker_env.codec(), realistic_events(5000, seed=12))
            console.log(f"writing a log of {sizes.processors} events for the worker and archive")
            with _phase(results, "log fill (worker, archive)"):
                await fill_log(worker_env, pool.codec, pool, sizes.processors, seed=12)
            console.log("processors (the Faust worker)")
            with _phase(results, "processors"):
                await _processors(worker_env, work, sizes.processors, results)
            console.log("archive: export the same log, replay the file")
            with _phase(results, "archive (export, read, replay)"):
                await _archive(worker_env, work, results)
        async with bench_env(work) as latency_env:
            console.log("end-to-end latency")
            with _phase(results, "latency"):
                results["latency"] = await latency_at_rates(
                    latency_env, (50, 200, 1000), sizes.latency_seconds, work
                )
    results["load_1min_after"] = round(os.getloadavg()[0], 2)
    results["wall_seconds"] = round(time.perf_counter() - began, 1)
    results["goals"] = goals(results)
    return results


REPLAY_PER_S = 1_000_000 / 60  # "1,000,000 events in under 60 s", judged by rate at any size


def goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 10's goals: each one's measured value, its target, and whether it is met."""
    pipe, decode = results["baseline_pipe_per_s"], results["baseline_decode_per_s"]
    out: dict[str, dict[str, Any]] = {}

    def goal(name: str, value: float, target: float, below: bool = False) -> None:
        met = value < target if below else value >= target
        out[name] = {"value": value, "target": target, "met": met}

    goal("gateway_ratio_to_pipe", results["gateway_per_s"] / pipe, 0.40)
    goal("processors_per_s", results["processors"]["events_per_s"], 10_000)
    goal("replay_ratio_to_decode", results["replay"]["events_per_s"] / decode, 0.50)
    goal("replay_per_s", results["replay"]["events_per_s"], REPLAY_PER_S)
    goal("archive_replay_per_s", results["archive_replay"]["events_per_s"], REPLAY_PER_S)
    for path, stats in results["latency"].get("200", {}).items():
        if stats.get("count"):
            goal(f"e2e_{path}_p99_ms_at_200", stats["p99_ms"], 250, below=True)
    return out


def _met(results: dict[str, Any], name: str) -> str:
    found = results["goals"].get(name)
    return "" if found is None else ("yes" if found["met"] else "NO: missed")


def table(results: dict[str, Any]) -> Table:
    """The results as a table, each hub figure with its ratio to its baseline and its goal."""
    t = Table("measure", "value", "baseline", "ratio", "goal", "meets goal")
    pipe, decode = results["baseline_pipe_per_s"], results["baseline_decode_per_s"]
    gateway = results["gateway_per_s"]
    t.add_row("gateway ingest (events/s)", f"{gateway:,.0f}", f"pipe {pipe:,.0f}",
              f"{gateway / pipe:.0%}", "≥ 40 % of pipe",
              _met(results, "gateway_ratio_to_pipe"))  # fmt: skip
    if "ingest_events" in results:
        t.add_row("gateway measured over", f"{results['gateway_seconds']:.0f} s",
                  f"{results['ingest_events']:,} events", "", "≥ 60 s sustained", "")  # fmt: skip
    replay, proc = results["replay"], results["processors"]
    t.add_row("processors, 1 worker (events/s)", f"{proc['events_per_s']:,.0f}",
              f"replay {replay['events_per_s']:,.0f}",
              f"{proc['events_per_s'] / replay['events_per_s']:.0%}", "≥ 10,000/s",
              _met(results, "processors_per_s"))  # fmt: skip
    t.add_row("processors time / peak RSS / CPU",
              f"{proc['seconds']:.1f} s / {proc['peak_rss_mb']:.0f} MB / "
              f"{proc['cpu_seconds']:.1f} s", f"{proc['events']:,} events, {proc['ticks']:,} ticks",
              "", "", "")  # fmt: skip
    t.add_row("processors startup (not in the rate)", f"{proc['startup_seconds']:.1f} s",
              "start, group join, 1st fetch", "", "", "")  # fmt: skip
    t.add_row("replay (events/s)", f"{replay['events_per_s']:,.0f}", f"decode {decode:,.0f}",
              f"{replay['events_per_s'] / decode:.0%}", "≥ 50 % of decode",
              _met(results, "replay_ratio_to_decode"))  # fmt: skip
    t.add_row("replay time / peak RSS",
              f"{replay['seconds']:.1f} s / {replay['peak_rss_mb']:.0f} MB",
              f"{replay['events']:,} events", "", "1M in < 60 s (by rate)",
              _met(results, "replay_per_s"))  # fmt: skip
    archive, export = results["archive_replay"], results["archive_export"]
    read = results["baseline_archive_read_per_s"]
    t.add_row("archive replay (events/s)", f"{archive['events_per_s']:,.0f}",
              f"container read {read:,.0f}", f"{archive['events_per_s'] / read:.0%}",
              "1M in < 60 s (by rate)", _met(results, "archive_replay_per_s"))  # fmt: skip
    t.add_row("archive replay time / peak RSS",
              f"{archive['seconds']:.1f} s / {archive['peak_rss_mb']:.0f} MB",
              f"{archive['events']:,} events", "", "", "")  # fmt: skip
    t.add_row("archive export (events/s)", f"{export['events_per_s']:,.0f}",
              f"{export['file_mb']:.1f} MB file", "", "", "")  # fmt: skip
    t.add_row("gateway: top frames", "\n".join(results["gateway_top_frames"]), "", "", "", "")
    t.add_row("replay: top frames", "\n".join(results["replay_top_frames"]), "", "", "", "")
    t.add_row("kafka ProducerPerformance", f"{results['kafka_producer_per_s']:,.0f}/s",
              "", "", "", "")  # fmt: skip
    t.add_row("kafka ConsumerPerformance", f"{results['kafka_consumer_per_s']:,.0f}/s",
              "", "", "", "")  # fmt: skip
    for rate, paths in results["latency"].items():
        for path, stats in paths.items():
            if stats.get("count"):
                at_200 = rate == "200"
                t.add_row(f"e2e {path} latency @ {rate}/s",
                          f"p50 {stats['p50_ms']:.0f} / p95 {stats['p95_ms']:.0f} / "
                          f"p99 {stats['p99_ms']:.0f} / max {stats['max_ms']:.0f} ms",
                          f"{stats['count']} samples", "",
                          "p99 < 250 ms" if at_200 else "",
                          _met(results, f"e2e_{path}_p99_ms_at_200") if at_200 else "")  # fmt: skip
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
    out = Console()
    if out.width < 160:  # the frames' names and the goals would be cut or wrapped to pieces
        out = Console(width=160)
    out.print(table(results))
    box = results["machine"]
    out.print(f"{box['cpus']} CPUs, {box['processor']}, Python {box['python']}, "
              f"{box['platform']}; load {box['load_1min_before']} before, "
              f"{results['load_1min_after']} after; "
              f"{results['wall_seconds']:.0f} s in all")  # fmt: skip
    console.log(f"results written to {args.out}")


if __name__ == "__main__":
    main()
