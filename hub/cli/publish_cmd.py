"""``kcr publish``: send CloudEvents JSON events to an organisation's ingress topic."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from aiokafka import AIOKafkaProducer
from pydantic import ValidationError

from hub.cli.common import console, err_console, settings
from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec, describe_validation_error
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import ConfigurationError
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


def _complete(document: dict[str, Any], org: str) -> dict[str, Any]:
    filled = {"id": str(uuid.uuid4()), "time": datetime.now(UTC).isoformat(), "source": org}
    return {**filled, **document}


def to_events(payload: Any, org: str) -> list[EventEnvelope]:
    """Validate one CloudEvents document or a list of them; fill id, time and source if absent."""
    documents = payload if isinstance(payload, list) else [payload]
    events = []
    for index, document in enumerate(documents):
        where = f"event {index}" if isinstance(payload, list) else "event"
        if not isinstance(document, dict):
            raise ConfigurationError(where, "must be a JSON object (CloudEvents structured mode)")
        try:
            event = parse_event(_complete(document, org))
        except ValidationError as error:
            raise ConfigurationError(where, describe_validation_error(error)) from error
        if event.source != org:
            raise ConfigurationError(
                f"{where}.source",
                f"is {event.source!r} but --org is {org!r}; the gateway would dead-letter it",
                fix=f"publish with --org {event.source}, or set source to {org!r}.",
            )
        events.append(event)
    return events


async def _send(events: list[EventEnvelope], org: str) -> str:
    cfg = settings()
    codec = EventCodec(HttpSchemaRegistry(cfg.registry_url))
    topic = cfg.topics.ingress(org)
    producer = AIOKafkaProducer(
        bootstrap_servers=cfg.bootstrap, enable_idempotence=True, **client_options(cfg)
    )
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
