"""A rich progress bar with records per second for long folds and exports (terminals only)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from hub.cli.common import console, err_console
from hub.kafka.reading import bounded_consumer, partitions_of

__all__ = ["log_size", "progress_bar"]


@contextlib.contextmanager
def progress_bar(
    description: str, total: int | None, enabled: bool
) -> Iterator[Callable[[int], None]]:
    """Yield a callback taking the records done so far; draw a bar on stderr when ``enabled``.

    Callers pass ``enabled=False`` for ``--json`` output; off a terminal it never draws.
    """
    if not (enabled and console.is_terminal and err_console.is_terminal):
        yield lambda done: None
        return
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>8.0f} events/s"), TimeElapsedColumn(),
    )  # fmt: skip
    started = time.monotonic()
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=total, rate=0.0)

        def advance(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            bar.update(task, completed=done, rate=rate)

        yield advance


async def log_size(
    bootstrap: str, topics: Sequence[str], client_config: Mapping[str, Any] | None = None
) -> int:
    """Return how many records ``topics`` hold now (end minus beginning offsets)."""
    partitions = await partitions_of(bootstrap, topics, client_config)
    if not partitions:
        return 0
    consumer = bounded_consumer(bootstrap, client_config)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
    finally:
        await consumer.stop()
    return sum(ends[tp] - starts[tp] for tp in partitions)
