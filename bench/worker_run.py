"""Run the processors' worker over a ready-made log; print its timing as JSON (a child).

The log (:mod:`bench.logfill`) is full before the worker starts. A worker that finds no
snapshot first rebuilds its state with an in-process replay of the whole log (``replay_log``,
measured apart by :mod:`bench.replay_run`) and then reads the log anyway, so on a full log it
would measure replay again. Here the worker starts from an empty projector instead, as a
worker does that was already running when the log was written (its rebuild of the then-empty
log): what is measured is the live path, the batch reader (events) and Faust (ticks) reading
the log, decoding, projecting and publishing the views and signals of every tick.

Startup (codec, Faust app start, group join, first fetch) is timed apart from processing,
which runs from the first batch until the outputs of the last tick are acknowledged by the
broker. Peak memory and CPU time are this process's own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import faust

from bench.usage import cpu_seconds, peak_rss_mb
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.kafka.log_reader import RawRecord
from hub.logs import configure_logging
from hub.processing.projector import Projector
from hub.streams.worker import ProjectionWorker
from hub.topics import TopicNames


class _BacklogWorker(ProjectionWorker):
    """The real worker; notes its first batch and starts empty rather than rebuilding."""

    first_batch_at: float | None = None
    cpu_at_first_batch = 0.0
    records_seen = 0

    async def _rebuilt(self, published_up_to: int | None) -> Projector:
        return Projector(thresholds=self.settings.thresholds)

    async def _handle(self, stream: faust.Stream[Any], events: Sequence[Any]) -> None:
        if self.first_batch_at is None:
            self.first_batch_at, self.cpu_at_first_batch = time.perf_counter(), cpu_seconds()
        self.records_seen += len(events)  # clock ticks, through Faust
        await super()._handle(stream, events)

    async def _take_events(self, projector: Projector, records: Sequence[RawRecord]) -> None:
        self.records_seen += len(records)  # events, through the batch reader
        await super()._take_events(projector, records)


async def _main(
    bootstrap: str, prefix: str, registry_url: str, records: int, ticks: int, timeout: float
) -> dict[str, float]:
    began = time.perf_counter()
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    await codec.register_all()  # as the processors service does before it starts the worker
    worker = _BacklogWorker(bootstrap, TopicNames(prefix), codec)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(worker.run(stop, ready))
    deadline = began + timeout
    try:
        while worker.ticks_evaluated < ticks:
            if task.done():
                task.result()
                raise RuntimeError("the worker stopped before the last tick")
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{worker.ticks_evaluated} of {ticks} ticks in {timeout} s")
            await asyncio.sleep(0.01)
        await worker.app.producer.flush()  # the last tick's views are at the broker
        done, cpu = time.perf_counter(), cpu_seconds()
        peak_mb = peak_rss_mb()
    finally:
        stop.set()
        await task
    first = worker.first_batch_at or began
    seconds = done - first
    return {"events": records, "ticks": worker.ticks_evaluated, "seconds": seconds,
            "events_per_s": records / seconds, "startup_seconds": first - began,
            "records_seen": worker.records_seen, "peak_rss_mb": peak_mb,
            "cpu_seconds": cpu - worker.cpu_at_first_batch,
            "startup_cpu_seconds": worker.cpu_at_first_batch}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--records", type=int, required=True, help="log records (events, ticks)")
    parser.add_argument("--ticks", type=int, required=True, help="ticks the log holds")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(_main(
        args.bootstrap, args.prefix, args.registry, args.records, args.ticks, args.timeout
    ))))  # fmt: skip
