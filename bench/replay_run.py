"""Run one replay in this process and print its timing and peak memory as JSON (a child)."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.logs import configure_logging
from hub.replay import replay_log
from hub.topics import TopicNames


async def _main(bootstrap: str, prefix: str, registry_url: str) -> dict[str, float]:
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    started = time.perf_counter()
    result = await replay_log(bootstrap, TopicNames(prefix), codec)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"events": result.events, "ticks": result.ticks, "seconds": seconds,
            "events_per_s": result.events / seconds, "peak_rss_mb": peak_mb}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--registry", required=True)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(_main(args.bootstrap, args.prefix, args.registry))))
