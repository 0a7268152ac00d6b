"""One thread per librdkafka client, so its blocking calls never block the event loop.

librdkafka does its network work in its own threads, but several calls of its Python binding
wait for them (``consume``, ``commit_transaction``, ``committed``, ``list_topics``). Each
client gets a single worker thread of its own: its calls run there one after the other, in the
order they were made (never two at once on one client), and a slow call of one client never
delays another's. The event loop awaits one future per call, which for the hot paths means one
per batch, not one per record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["ClientThread"]

P = ParamSpec("P")
T = TypeVar("T")


class ClientThread:
    """A single worker thread that runs one client's blocking calls in order."""

    def __init__(self, name: str) -> None:
        """Start no thread yet; the first call starts it (named ``name`` in thread dumps)."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``function(*args, **kwargs)`` in the thread and return (or raise) its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: function(*args, **kwargs))

    def shutdown(self) -> None:
        """Let the thread end once its queued calls ran (it does not wait for them)."""
        self._executor.shutdown(wait=False)
