"""How long to wait before a crashed child is started again."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """Restart delays: ``first`` seconds, doubling per crash up to ``limit``.

    A child that stayed up ``reset_after`` seconds counts as healthy again: its next crash
    waits ``first`` seconds once more.
    """

    first: float = 1.0
    limit: float = 30.0
    reset_after: float = 60.0

    def delay(self, attempt: int) -> float:
        """The wait before restart number ``attempt`` (1 for the first restart)."""
        return min(self.first * 2.0 ** max(attempt - 1, 0), self.limit)

    def next_attempt(self, attempt: int, uptime: float) -> int:
        """The attempt number after a crash that followed ``uptime`` seconds of running."""
        return 1 if uptime >= self.reset_after else attempt + 1
