"""A drop folder: files that appear are imported, then moved to ``done/`` or ``rejected/``.

A file is taken once its size has stayed the same for one poll (so half-written files wait).
After its import it moves to ``<dir>/done/`` when nothing in it was refused, else to
``<dir>/rejected/`` with ``<name>.reason.txt`` beside it listing every refusal (the parts that
were good have been published all the same). A name already taken there gets a numbered suffix.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

__all__ = ["DONE", "REJECTED", "DropFolder", "move_done", "move_rejected"]

DONE = "done"
REJECTED = "rejected"


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    number = 1
    while target.exists():
        target = folder / f"{Path(name).stem}.{number}{Path(name).suffix}"
        number += 1
    return target


def move_done(file: Path) -> Path:
    """Move ``file`` into ``done/`` beside it; return where it went."""
    folder = file.parent / DONE
    folder.mkdir(exist_ok=True)
    return file.rename(_free_name(folder, file.name))


def move_rejected(file: Path, reasons: list[str]) -> Path:
    """Move ``file`` into ``rejected/`` and write ``<name>.reason.txt`` beside it."""
    folder = file.parent / REJECTED
    folder.mkdir(exist_ok=True)
    target = file.rename(_free_name(folder, file.name))
    reason = target.with_name(target.name + ".reason.txt")
    reason.write_text("".join(f"{line}\n" for line in reasons), encoding="utf-8")
    return target


class DropFolder:
    """Polls a folder and hands every complete new file to a handler, oldest first."""

    def __init__(self, folder: Path, poll_seconds: float = 1.0) -> None:
        """Watch ``folder`` (created if missing) every ``poll_seconds``."""
        self.folder = folder
        self.poll_seconds = poll_seconds
        self._sizes: dict[Path, int] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def ready(self) -> list[Path]:
        """Return the files whose size did not change since the last call, oldest first."""
        files = [p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        files.sort(key=lambda p: (p.stat().st_mtime, p.name))
        sizes = {p: p.stat().st_size for p in files}
        stable = [p for p in files if self._sizes.get(p) == sizes[p]]
        self._sizes = {p: size for p, size in sizes.items() if p not in stable}
        return stable

    async def run(self, handle: Callable[[Path], Awaitable[None]], stop: asyncio.Event) -> None:
        """Call ``handle`` for every ready file until ``stop`` is set."""
        while not stop.is_set():
            for file in self.ready():
                await handle(file)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_seconds)
