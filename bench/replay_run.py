"""Run one replay in this process and print its timing and peak memory as JSON (a child).

The log's replay (``kcr replay``) by default; with ``--archive`` the replay of an archive file
(``kcr replay --archive``: ``replay_items`` over the archive reader, no broker, no registry).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from bench.usage import cpu_seconds, peak_rss_mb
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.history.archive.reader import log_items
from hub.history.replay import ReplayResult, replay_items, replay_log
from hub.logs import configure_logging
from hub.topics import TopicNames


async def _replay(bootstrap: str, prefix: str, registry_url: str) -> ReplayResult:
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    return await replay_log(bootstrap, TopicNames(prefix), codec)


def _report(result: ReplayResult, seconds: float) -> dict[str, float]:
    return {"events": result.events, "ticks": result.ticks, "seconds": seconds,
            "events_per_s": result.events / seconds, "cpu_seconds": cpu_seconds(),
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap")
    parser.add_argument("--prefix")
    parser.add_argument("--registry")
    parser.add_argument("--archive", type=Path, help="replay this archive instead of the log")
    args = parser.parse_args()
    configure_logging("WARNING")
    started = time.perf_counter()
    if args.archive is not None:
        result = replay_items(log_items(args.archive))
    else:
        result = asyncio.run(_replay(args.bootstrap, args.prefix, args.registry))
    print(json.dumps(_report(result, time.perf_counter() - started)))
