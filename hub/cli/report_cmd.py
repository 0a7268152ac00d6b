"""``kcr report``: PNG plots of the crisis (with their data as JSON) from a replay."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import console
from hub.cli.replay_cmd import fold
from hub.history.analysis.series import report_series
from hub.history.replay import ReplayWindow

__all__ = ["report"]


def report(
    out: Annotated[Path, typer.Option(help="Directory for the PNG plots and their JSON series.")],
    archive: Annotated[
        Path | None, typer.Option(help="Replay this `kcr export` file instead of the log.")
    ] = None,
) -> None:
    """Plot GRIP levels per region, national capacity and escalation signals over time."""
    from hub.history.analysis.report import write_report  # matplotlib: ~1 s, only for this command

    result = asyncio.run(fold(ReplayWindow(), archive, show_progress=True))
    end = result.outputs[-1].now if result.outputs else None
    for path in write_report(report_series(result), out, end):
        console.print(f"wrote {path} and {path.with_suffix('.json').name}")
