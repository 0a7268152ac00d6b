"""``kcr views show`` and ``kcr signals list``: what the national crisis centre looks at."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.table import Table

from hub.cli.common import console, settings
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.outputs import (
    EscalationEvent,
    IncidentView,
    NationalSituationView,
    RegionView,
    ResourceCapacityView,
)
from hub.history.readers import active_signals, latest_by_key, read_topic
from hub.kafka.clients import client_options

__all__ = [
    "print_capacity",
    "print_scenarios",
    "print_signals",
    "print_situation",
    "signals_app",
    "views_app",
]

views_app = typer.Typer(help="Show the national views as the hub last published them.")
signals_app = typer.Typer(help="Escalation signals raised by the hub.")


class ViewKind(StrEnum):
    """The view topics ``kcr views show`` reads."""

    SITUATION = "situation"
    CAPACITY = "capacity"
    SCENARIOS = "scenarios"


def _codec() -> EventCodec:
    return EventCodec(HttpSchemaRegistry(settings().registry_url))


async def _latest(kind: ViewKind) -> dict[str, BaseModel]:
    cfg = settings()
    return await latest_by_key(
        cfg.bootstrap, cfg.topics.view(kind.value), _codec(), client_options(cfg)
    )


def _dump(items: list[BaseModel]) -> None:
    print(json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False))


def print_situation(records: dict[str, BaseModel]) -> None:
    """Print the situation views: the national line, regions and incidents as tables."""
    national = [v for v in records.values() if isinstance(v, NationalSituationView)]
    for nation in national:
        console.print(
            f"[bold]National picture[/] at tick {nation.tick} ({nation.as_of:%Y-%m-%d %H:%M:%S}Z):"
            f" {nation.active_incidents} active incidents, {nation.total_affected} people affected"
        )
    regions = Table("region", "name", "GRIP", "incidents", "categories", "affected", "silent")
    region_views = [v for v in records.values() if isinstance(v, RegionView)]
    for region in sorted(region_views, key=lambda v: v.region_id):
        regions.add_row(
            region.region_id, region.name, region.highest_grip or "-",
            str(len(region.active_incidents)), ", ".join(region.categories),
            str(region.affected_people), "[red]SILENT[/]" if region.silent else "",
        )  # fmt: skip
    console.print(regions)
    incidents = Table("incident", "title", "status", "GRIP", "regions", "affected")
    for incident in (v for v in records.values() if isinstance(v, IncidentView)):
        incidents.add_row(
            incident.incident_id, incident.title, incident.status, incident.grip_level,
            ", ".join(incident.regions), str(incident.affected_people),
        )  # fmt: skip
    console.print(incidents)


def print_capacity(records: dict[str, BaseModel]) -> None:
    """Print the capacity views as a table, one row per resource type."""
    table = Table("resource", "unit", "total", "available", "committed", "stale reports")
    resources = [v for v in records.values() if isinstance(v, ResourceCapacityView)]
    for view in sorted(resources, key=lambda v: v.resource_type):
        table.add_row(
            view.resource_type, view.unit, str(view.total), str(view.available),
            str(view.committed), ", ".join(view.stale_orgs),
        )  # fmt: skip
    console.print(table)


@views_app.command("show")
def show(
    kind: Annotated[ViewKind, typer.Argument(help="Which view: situation, capacity, scenarios.")],
    as_json: bool = typer.Option(False, "--json", help="Print the records as a JSON list."),
) -> None:
    """Print the latest record of every key of a view topic."""
    records = asyncio.run(_latest(kind))
    if as_json:
        _dump(list(records.values()))
    elif kind is ViewKind.SITUATION:
        print_situation(records)
    elif kind is ViewKind.CAPACITY:
        print_capacity(records)
    else:
        print_scenarios(records)


def print_scenarios(records: dict[str, BaseModel]) -> None:
    """Print each scenario view as its key and JSON."""
    for key, record in records.items():
        console.print(f"[bold]{key}[/]")
        console.print_json(data=record.model_dump(mode="json"))


async def _signals() -> list[EscalationEvent]:
    cfg = settings()
    items = await read_topic(cfg.bootstrap, cfg.topics.signals, _codec(), client_options(cfg))
    history: list[Any] = [item for _, item in items]
    return history


@signals_app.command("list")
def list_signals(
    as_json: bool = typer.Option(False, "--json", help="Print the signals as JSON lines."),
    show_all: bool = typer.Option(False, "--all", help="Every event, resolved ones included."),
) -> None:
    """List the active escalation signals (the latest event of each unresolved signal)."""
    history = asyncio.run(_signals())
    shown = history if show_all else active_signals(history)
    if as_json:
        for event in shown:
            print(json.dumps(event.model_dump(mode="json"), ensure_ascii=False))
        return
    print_signals(shown)


def print_signals(shown: list[EscalationEvent]) -> None:
    """Print escalation events as a table, then their count."""
    table = Table("signal", "severity", "state", "title", "regions", "since")
    for event in shown:
        data = event.data
        table.add_row(
            data.signal_id, data.severity.value, event.verb, data.title,
            ", ".join(data.regions), f"{data.since:%Y-%m-%d %H:%M:%S}Z",
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(shown)} signal(s).")
