"""Profiles (pyinstrument) of the gateway and of replay, and their most expensive frames."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.frame import SELF_TIME_FRAME_IDENTIFIER as SELF_TIME

__all__ = ["save_profile", "top_frames"]


def top_frames(profiler: Profiler, count: int = 3) -> list[str]:
    """Return the ``count`` functions with the most self time, as 'function (file:line) s'.

    Self time is a frame's time less its callees' and less its awaits (time the coroutine was
    suspended, not spent): pyinstrument's synthetic ``[self]`` / ``[await]`` children are
    folded into their parent, never counted as frames of their own. A built-in or generated
    function (``<built-in>``, ``<string>``) is named with its caller, which says where it is.
    """
    session = profiler.last_session
    if session is None:
        return []
    totals: Counter[str] = Counter()

    def walk(frame: Any) -> None:
        if frame is None:
            return
        if frame.is_synthetic:
            return
        if frame.file_path_short and "<" not in frame.function:
            where = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
            caller = frame.parent
            if frame.file_path_short.startswith("<") and caller is not None:  # built-in, generated
                where = f"{frame.function} in {caller.function} "
                where += f"({caller.file_path_short}:{caller.line_no})"
            totals[where] += frame.time - sum(
                child.time for child in frame.children if child.function != SELF_TIME
            )
        for child in frame.children:
            walk(child)

    walk(session.root_frame())
    return [f"{name} {seconds:.2f}s" for name, seconds in totals.most_common(count)]


def save_profile(profiler: Profiler, path: Path) -> None:
    """Write the profile as text (and HTML next to it) for review."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    path.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
