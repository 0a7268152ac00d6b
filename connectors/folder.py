"""A drop folder: files that appear are imported, then moved to ``done/`` or ``rejected/``.

A file is taken once its size has stayed the same for one poll (so half-written files wait).
After its import it moves to ``<dir>/done/`` when nothing in it was refused, else to
``<dir>/rejected/`` with ``<name>.reason.txt`` beside it listing every refusal (the parts that
were good have been published all the same). A name already taken there gets a numbered suffix.

:func:`settle` does this for one file whatever happens: an exception while importing it (a
bug, a lost broker, a file that vanished) is its reason in ``rejected/``, so a watcher never
stops on one file and never meets the same file again after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from hub.errors import HubError
from hub.logs import get_logger

__all__ = ["DONE", "REJECTED", "DropFolder", "Importer", "move_done", "move_rejected", "settle"]

_log = get_logger("connectors.folder")

Importer = Callable[[Path], Awaitable[Sequence[str]]]
"""Imports one file and returns the reasons of what it refused (empty: all of it went in)."""

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


def _failure(error: Exception) -> list[str]:
    """The reason lines of an import that raised ``error``."""
    if isinstance(error, HubError):
        first = error.refusal()
    else:
        first = f"the import failed: {type(error).__name__}: {error}"
    return [
        first,
        "events mapped before the failure may have been published; their ids are stable, so "
        "once the cause is fixed (see the connector's log) move the file back to retry.",
    ]


async def settle(file: Path, importer: Importer) -> Path | None:
    """Import ``file`` with ``importer``, then move it to ``done/`` or ``rejected/``.

    Any exception of ``importer`` (cancellation aside) rejects the file with the error as its
    reason. Returns where the file went; None if it could not be moved (it vanished, or the
    folder is read-only), which is logged, so the watcher goes on either way.
    """
    try:
        reasons = list(await importer(file))
    except Exception as error:  # one file must never stop the watcher
        _log.warning("connect.file_failed", file=str(file), error=repr(error))
        reasons = _failure(error)
    try:
        return move_rejected(file, reasons) if reasons else move_done(file)
    except OSError as error:
        _log.warning("connect.file_not_moved", file=str(file), error=repr(error))
        return None


class DropFolder:
    """Polls a folder and hands every complete new file to a handler, oldest first."""

    def __init__(self, folder: Path, poll_seconds: float = 1.0) -> None:
        """Watch ``folder`` (created if missing) every ``poll_seconds``."""
        self.folder = folder
        self.poll_seconds = poll_seconds
        self._sizes: dict[Path, int] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def ready(self) -> list[Path]:
        """Return the files whose size did not change since the last call, oldest first.

        A file that disappears while the folder is listed is skipped, not an error.
        """
        stats = {}
        for path in self.folder.iterdir():
            with contextlib.suppress(OSError):
                if path.is_file() and not path.name.startswith("."):
                    stats[path] = path.stat()
        files = sorted(stats, key=lambda p: (stats[p].st_mtime, p.name))
        stable = [p for p in files if self._sizes.get(p) == stats[p].st_size]
        self._sizes = {p: stats[p].st_size for p in files if p not in stable}
        return stable

    async def run(self, handle: Callable[[Path], Awaitable[None]], stop: asyncio.Event) -> None:
        """Call ``handle`` for every ready file until ``stop`` is set."""
        while not stop.is_set():
            for file in self.ready():
                await handle(file)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_seconds)
