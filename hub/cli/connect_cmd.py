"""``kcr connect``: import CAP, EDXL and CSV files as an organisation; write its CAP alerts out.

``kcr connect cap|edxl|have|csv --org ORG FILE...`` maps each file with the connector of its format
(:mod:`connectors.files`) and publishes the events with the SDK; ``--watch DIR`` keeps importing
the files that appear in DIR (moved to ``done/`` or ``rejected/`` after). ``kcr connect cap-out
--org ORG --out DIR`` follows the organisation's outbox and writes its escalation signals and
validated advice (and public incident warnings) as CAP 1.2 files.
Every refusal is printed with its reason; the exit code is 1 if anything was refused.
"""

from __future__ import annotations

import asyncio
import functools
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import typer

from connectors.cap.writer import CapFolderWriter
from connectors.files import FORMATS, FileImport, FileTooLarge, MapOptions, read_import_file
from connectors.folder import DONE, DropFolder, settle
from connectors.sdk import ClientSettings, HubClient
from hub.cli.common import settings
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry

__all__ = ["connect_app"]

connect_app = typer.Typer(
    help="Connectors: import CAP, EDXL, EDXL-HAVE and CSV files; write CAP alerts from the outbox.",
    no_args_is_help=True,
)

_FILES = typer.Argument(None, help="Files to import (none with --watch is fine).")
_ORG = typer.Option(..., "--org", help="The publishing organisation, e.g. vr19.")
_WATCH = typer.Option(None, "--watch", help="Import files that appear in this folder.")
_DURATION = typer.Option(None, "--duration", help="Stop after this many seconds.")
_GRACE_SECONDS = 5.0
_OUT = typer.Option(..., "--out", help="Folder to write the CAP files into.")


def _client(org: str) -> HubClient:
    return HubClient(ClientSettings.from_hub_settings(settings(), org))


def _report(name: str, result: FileImport, ids: list[str]) -> None:
    for event, event_id in zip(result.events, ids, strict=True):
        typer.echo(f"{name}: published {event_id} ({event.type})")
    for note in result.notes:
        typer.echo(f"{name}: note: {note}")
    for reason in result.refusals:
        typer.echo(f"{name}: refused: {reason}", err=True)
    if not result.events and not result.refusals:
        typer.echo(f"{name}: nothing to import")


async def _import(client: HubClient, fmt: str, file: Path, options: MapOptions) -> FileImport:
    """Map and publish one file; return what it mapped to (a read error is a refusal).

    A file over ``KCR_MAX_IMPORT_BYTES`` is refused before it is read.
    """
    try:
        data = await asyncio.to_thread(read_import_file, file, settings().max_import_bytes)
    except FileTooLarge as error:
        result = FileImport(refusals=(error.refusal(),))
    except OSError as error:
        result = FileImport(refusals=(f"cannot read the file: {error.strerror or error}",))
    else:
        result = FORMATS[fmt](data, options)
    events: list[EventEnvelope] = list(result.events)
    ids = await client.publish_many(events) if events else []
    _report(str(file), result, ids)
    return result


async def _run_files(fmt: str, files: list[Path], options: MapOptions) -> bool:
    """Import every file; return whether anything was refused."""
    refused = False
    async with _client(options.org) as client:
        for file in files:
            refused |= (await _import(client, fmt, file, options)).refused
    return refused


async def _watch(fmt: str, folder: Path, options: MapOptions, stop: asyncio.Event) -> bool:
    """Import files appearing in ``folder`` until ``stop``; return whether any was refused."""
    refused = False

    async def importer(file: Path) -> tuple[str, ...]:
        return (await _import(client, fmt, file, options)).refusals

    async def handle(file: Path) -> None:
        nonlocal refused
        moved = await settle(file, importer)
        refused |= moved is None or moved.parent.name != DONE
        typer.echo(f"{file}: moved to {moved}" if moved else f"{file}: could not be moved")

    async with _client(options.org) as client:
        typer.echo(f"watching {folder} for {fmt} files as {options.org}")
        await DropFolder(folder).run(handle, stop)
    return refused


async def _until_stopped(
    work: Callable[[asyncio.Event], Coroutine[Any, Any, bool]], duration: float | None
) -> bool:
    """Run ``work(stop)`` until it returns; SIGINT, SIGTERM or ``duration`` set ``stop``.

    Work that does not end within a few seconds of ``stop`` is cancelled (returns False).
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    task = asyncio.ensure_future(work(stop))
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    await asyncio.wait({task}, timeout=_GRACE_SECONDS)
    task.cancel()
    try:
        return await task
    except asyncio.CancelledError:
        return False


async def _import_all(
    fmt: str, files: list[Path], options: MapOptions, watch: Path | None, duration: float | None
) -> bool:
    refused = await _run_files(fmt, files, options) if files else False
    if watch is None:
        return refused

    async def watching(stop: asyncio.Event) -> bool:
        return await _watch(fmt, watch, options, stop)

    return await _until_stopped(watching, duration) or refused


def _main(fmt: str, files: list[Path] | None, options: MapOptions, **kw: Any) -> None:
    if not files and kw["watch"] is None:
        raise typer.BadParameter("give files to import, or --watch DIR")
    load_registry().get(options.org)  # an unknown --org is one clear error, before any file
    if asyncio.run(_import_all(fmt, files or [], options, kw["watch"], kw["duration"])):
        raise typer.Exit(1)


@connect_app.command("cap")
def connect_cap(
    files: list[Path] | None = _FILES,
    org: str = _ORG,
    watch: Path | None = _WATCH,
    grip: str | None = typer.Option(None, "--grip", help="GRIP level for new incidents."),
    fallback_region: str | None = typer.Option(
        None, "--fallback-region", help="Region for alerts whose areas map to none."
    ),
    duration: float | None = _DURATION,
) -> None:
    """Import CAP 1.2 alerts as incident events (Alert/Update/Cancel → reported/updated/closed)."""
    options = MapOptions(org, grip_level=grip, fallback_region=fallback_region)
    _main("cap", files, options, watch=watch, duration=duration)


@connect_app.command("edxl")
def connect_edxl(
    files: list[Path] | None = _FILES,
    org: str = _ORG,
    watch: Path | None = _WATCH,
    fallback_region: str | None = typer.Option(
        None, "--fallback-region", help="Region for CAP payloads whose areas map to none."
    ),
    duration: float | None = _DURATION,
) -> None:
    """Import EDXL-DE distributions and EDXL-RM RequestResource/CommitResource messages."""
    options = MapOptions(org, fallback_region=fallback_region)
    _main("edxl", files, options, watch=watch, duration=duration)


@connect_app.command("have")
def connect_have(
    files: list[Path] | None = _FILES,
    org: str = _ORG,
    watch: Path | None = _WATCH,
    duration: float | None = _DURATION,
) -> None:
    """Import EDXL-HAVE hospital status as capacity reports (one per bed type: icu_bed, ...)."""
    _main("have", files, MapOptions(org), watch=watch, duration=duration)


@connect_app.command("csv")
def connect_csv(
    files: list[Path] | None = _FILES,
    org: str = _ORG,
    watch: Path | None = _WATCH,
    duration: float | None = _DURATION,
) -> None:
    """Import capacity lists (CSV); bad lines are reported by line number, good rows published."""
    _main("csv", files, MapOptions(org), watch=watch, duration=duration)


async def _cap_out(org: str, out: Path, stop: asyncio.Event) -> bool:
    """Write the outbox's alerts until cancelled (``stop`` is left to the cancellation)."""
    del stop
    load_registry().get(org)
    writer = CapFolderWriter(out)
    async with _client(org) as client:
        typer.echo(f"following {client.outbox_topic}, writing CAP alerts to {out}")
        async for item in client.outbox():
            path = writer.write(item)
            if path is not None:
                typer.echo(f"wrote {path} ({getattr(item, 'type', type(item).__name__)})")
    return False


@connect_app.command("cap-out")
def connect_cap_out(
    org: str = _ORG,
    out: Path = _OUT,
    duration: float | None = _DURATION,
) -> None:
    """Follow the organisation's outbox; write signals and validated advice as CAP 1.2 files.

    Escalation signals, validated advice and public (TLP CLEAR) incident warnings each become
    one XSD-valid CAP 1.2 alert. Progress is kept in the outbox consumer group, so a restart
    continues where it stopped.
    """
    asyncio.run(_until_stopped(functools.partial(_cap_out, org, out), duration))
