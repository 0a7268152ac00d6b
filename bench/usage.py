"""What a benchmark child used: its CPU time and its own peak resident memory."""

from __future__ import annotations

import resource
from pathlib import Path

__all__ = ["cpu_seconds", "peak_rss_mb"]


def cpu_seconds() -> float:
    """User and system CPU time of this process so far (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident memory of this process's program, in MiB.

    Linux's ``ru_maxrss`` survives ``exec``: a child forked from the bench run starts with the
    parent's peak (its pages were mapped before the exec), so a small child reports the
    parent's size. ``VmHWM`` is the high-water mark of the current program alone.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
