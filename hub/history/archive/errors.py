"""Errors of archives, export and rebuild: what went wrong, on which file or topic, and the fix."""

from __future__ import annotations

from pathlib import Path

from hub.errors import HubError

__all__ = ["ArchiveError", "RebuildRefused"]


class ArchiveError(HubError, ValueError):
    """An archive cannot be written or read: not an archive, or a record that cannot go in."""

    def __init__(self, path: Path | str, message: str, *, fix: str | None = None) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}", fix=fix)


class RebuildRefused(HubError, RuntimeError):
    """``kcr replay --rebuild`` would race the live processors, whose group is active."""

    def __init__(self, group: str, state: str, members: int) -> None:
        self.group = group
        self.state = state
        self.members = members
        super().__init__(
            f"the processors' consumer group {group!r} is active ({state}, {members} member(s));"
            " rebuilding the view topics now would race the live workers.",
            fix="stop `kcr run` (or its processors) first, or pass --force if you know better.",
        )
