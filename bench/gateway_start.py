"""Start one gateway over the hub ``prefix``'s log and stop it once ready (a child).

The parent notes the wall-clock time before it spawns this process; the gateway notes when it
is ready (its de-duplication window rebuilt from the log's record headers, its ownership book
read back, subscribed), so the parent has the time from process start (interpreter and imports
included) to ready. Prints one JSON line: ``ready_at`` (``time.time()``), the seconds of the
two rebuilds, how many ids the window holds and how many owners the book, and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.usage import cpu_seconds, peak_rss_mb
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.organisations import load_registry
from hub.gateway.clients import TransactionalWriter
from hub.gateway.service import Gateway, GatewayWiring
from hub.logs import configure_logging
from hub.topics import TopicNames

__all__ = ["start_gateway"]


class _TimedStart(Gateway):
    """The real gateway, noting how long each start-up rebuild took."""

    dedupe_s = 0.0
    ownership_s = 0.0

    async def rebuild_dedupe_window(self) -> None:
        began = time.perf_counter()
        await super().rebuild_dedupe_window()
        self.dedupe_s = time.perf_counter() - began

    async def rebuild_ownership(self, producer: TransactionalWriter) -> None:
        began = time.perf_counter()
        await super().rebuild_ownership(producer)
        self.ownership_s = time.perf_counter() - began


async def start_gateway(bootstrap: str, prefix: str, registry_url: str) -> dict[str, float]:
    """Run a gateway until it is ready, stop it; return when it was ready and what it rebuilt."""
    wiring = GatewayWiring(bootstrap, TopicNames(prefix), instance="bench-start")
    gateway = _TimedStart(wiring, EventCodec(HttpSchemaRegistry(registry_url)), load_registry())
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(gateway.run(stop, ready))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiting.cancel()
        task.result()
        raise RuntimeError("the gateway stopped before it was ready")
    ready_at = time.time()
    stop.set()
    await task
    return {"ready_at": ready_at, "dedupe_s": gateway.dedupe_s,
            "ownership_s": gateway.ownership_s, "dedupe_ids": len(gateway.seen),
            "owners": len(gateway.owners), "cpu_seconds": cpu_seconds(),
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--registry", required=True)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(start_gateway(args.bootstrap, args.prefix, args.registry))))
