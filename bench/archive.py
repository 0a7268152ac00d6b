"""Archive replay: export the replay log to an Avro container file, and the file's baseline.

The export is the hub's own (``kcr export``); the baseline is a bare ``fastavro.reader`` loop
over the same file (the container reader's ceiling: decompress and decode, no events built).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import fastavro

from bench.env import BenchEnv
from hub.contracts.events.catalogue import FAMILIES
from hub.history.archive.export import export_log

__all__ = ["bare_archive_read", "export_archive"]


async def export_archive(env: BenchEnv, out: Path) -> dict[str, float]:
    """Export every log topic of ``env`` to ``out``; return records, seconds, records/s, MB."""
    topics = [env.names.log(family) for family in FAMILIES]
    started = time.perf_counter()
    records = await export_log(env.bootstrap, env.codec(), topics, out)
    seconds = time.perf_counter() - started
    size = await asyncio.to_thread(lambda: out.stat().st_size)
    return {"events": records, "seconds": seconds, "events_per_s": records / seconds,
            "file_mb": size / 1e6}  # fmt: skip


def bare_archive_read(path: Path) -> float:
    """Read every record of the archive at ``path`` with fastavro alone; return records/s."""
    started = time.perf_counter()
    count = 0
    with path.open("rb") as stream:
        for _ in fastavro.reader(stream):
            count += 1
    return count / (time.perf_counter() - started)
