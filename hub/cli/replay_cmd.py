"""``kcr replay``: fold the log (or an archive) in-process and show what the hub showed then.

Time travel with ``--until``; ``--rebuild`` republishes the view topics from the log.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import console, settings
from hub.cli.progress import log_size, progress_bar
from hub.cli.views_cmd import print_capacity, print_scenarios, print_signals, print_situation
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.fields import to_utc
from hub.history.archive.reader import log_items
from hub.history.rebuild import check_processors_idle, processors_group, rebuild
from hub.history.replay import ReplayResult, ReplayWindow, replay_items, replay_log
from hub.history.timetravel import ReplayState, state_at
from hub.kafka.clients import client_options, confluent_options
from hub.services import hub_thresholds

__all__ = ["fold", "parse_time", "replay"]


def parse_time(value: str | None) -> datetime | None:
    """Parse an RFC 3339 time (``2026-03-01T12:00:00Z``) given on the command line, as UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not an RFC 3339 time: {error}") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no offset; write e.g. 2026-03-01T12:00:00Z")
    return to_utc(moment)


async def fold(
    window: ReplayWindow, archive: Path | None = None, show_progress: bool = False
) -> ReplayResult:
    """Replay the log of the configured hub, or the ``archive`` file (no broker, no registry)."""
    cfg = settings()
    thresholds = hub_thresholds(cfg)
    if archive is not None:
        with progress_bar(f"replaying {archive.name}", None, show_progress) as advance:
            return replay_items(log_items(archive), window, thresholds, advance)
    total = None
    if show_progress:
        topics = [cfg.topics.log(f) for f in FAMILIES]
        total = await log_size(cfg.bootstrap, topics, client_options(cfg))
    codec = EventCodec(HttpSchemaRegistry(cfg.registry_url))
    with progress_bar("replaying the log", total, show_progress) as advance:
        return await replay_log(
            cfg.bootstrap, cfg.topics, codec, window, thresholds, confluent_options(cfg), advance
        )


def _print_state(state: ReplayState) -> None:
    when = f"{state.as_of:%Y-%m-%d %H:%M:%S}Z" if state.as_of else "-"
    console.print(
        f"[bold]Replay[/]: {state.events} records, {state.ticks} ticks; "
        f"state after tick {state.last_tick} ({when})"
    )
    print_situation(dict(state.views.get("situation", {})))
    print_capacity(dict(state.views.get("capacity", {})))
    print_scenarios(dict(state.views.get("scenarios", {})))
    print_signals(state.signals)


async def _rebuild(force: bool, show_progress: bool) -> None:
    cfg = settings()
    if not force:
        await check_processors_idle(
            cfg.bootstrap, processors_group(cfg.topics), confluent_options(cfg)
        )
    result = await fold(ReplayWindow(), None, show_progress)
    codec = EventCodec(HttpSchemaRegistry(cfg.registry_url))
    views = result.projector.projection.published_views()
    report = await rebuild(cfg.bootstrap, cfg.topics, codec, views, confluent_options(cfg))
    for topic, count in report.published.items():
        console.print(f"{topic}: {count} record(s) published")
    for topic, key in report.tombstoned:
        console.print(f"{topic}: tombstoned {key}")


def replay(
    until: Annotated[
        str | None,
        typer.Option(help="RFC 3339 time: the state after the last tick at or before it."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="RFC 3339 time: list only views and signals of ticks after it "
            "(the state is still folded from the beginning of the log)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every escalation event, not only active signals.")
    ] = False,
    archive: Annotated[
        Path | None,
        typer.Option(help="Replay this `kcr export` file instead of the log: no broker needed."),
    ] = None,
    rebuild_views: Annotated[
        bool,
        typer.Option("--rebuild", help="Republish every view topic from the log (new processors)."),
    ] = False,
    force: Annotated[
        bool, typer.Option(help="With --rebuild: go on even while the processors run.")
    ] = False,
) -> None:
    """Fold the log in-process and print the views and signals as they stood at a moment."""
    if rebuild_views:
        if until or since or archive:
            raise typer.BadParameter(
                "--rebuild replays the whole log: no --until/--since/--archive"
            )
        asyncio.run(_rebuild(force, not as_json))
        return
    window = ReplayWindow(until=parse_time(until))
    result = asyncio.run(fold(window, archive, show_progress=not as_json))
    state = state_at(result, parse_time(since), show_all)
    if as_json:
        print(json.dumps(state.to_json(), ensure_ascii=False))
    else:
        _print_state(state)
