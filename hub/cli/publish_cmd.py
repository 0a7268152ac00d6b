"""``kcr publish``: send CloudEvents JSON events to an organisation's ingress topic."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import typer

from hub.cli.common import console, err_console, settings
from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.codec.structured import to_events
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import ConfigurationError
from hub.kafka import aio
from hub.kafka.clients import client_options

__all__ = ["publish", "to_events"]


def _read(file: str) -> Any:
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            file, f"is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error


async def _send(events: list[EventEnvelope], org: str) -> str:
    cfg = settings()
    codec = EventCodec(HttpSchemaRegistry(cfg.registry_url))
    topic = cfg.topics.ingress(org)
    producer = aio.producer(cfg.bootstrap, client_options(cfg))
    await producer.start()
    try:
        for event in events:
            value = await codec.encode(event)
            headers = to_ce_headers(event)
            await producer.send_and_wait(topic, value, key=event.subject.encode(), headers=headers)
    finally:
        await producer.stop()
    return topic


def publish(
    file: str = typer.Argument(..., help="CloudEvents JSON file (one event or a list); - = stdin."),
    org: str = typer.Option(..., "--org", help="Publishing organisation, e.g. vr19."),
) -> None:
    """Validate events and publish them to the organisation's ingress topic.

    Missing id, time and source are filled in (a new UUID, now, --org). A validation error names
    the field and nothing is sent.
    """
    events = to_events(_read(file), org)
    try:
        topic = asyncio.run(_send(events, org))
    except ConnectionError as error:
        err_console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from error
    for event in events:
        console.print(f"published {event.id} ({event.type}) to {topic}")
