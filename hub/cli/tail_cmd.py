"""``kcr tail``: read any hub topic and print its records decoded."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import typer

from hub.cli.common import console, settings
from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import to_cloudevent_json
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import CodecError
from hub.kafka import aio
from hub.kafka.clients import client_options

__all__ = ["decode_record", "tail"]


async def _decode_value(codec: EventCodec, value: bytes | None) -> Any:
    if value is None:
        return None
    if value[:1] == b"\x00":
        try:
            item = await codec.decode(value)
        except CodecError as error:
            return {"undecodable": error.message, "hex": value[:64].hex()}
        if isinstance(item, EventEnvelope):
            return to_cloudevent_json(item)
        return item.model_dump(mode="json")
    try:
        return json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"undecodable": "neither Avro wire format nor JSON", "hex": value[:64].hex()}


async def decode_record(codec: EventCodec, record: aio.Record) -> dict[str, Any]:
    """Return a record as a JSON-ready dict: position, key, headers and the decoded value."""
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": datetime.fromtimestamp(record.timestamp / 1000, UTC).isoformat(),
        "key": record.key.decode("utf-8", errors="replace") if record.key else None,
        "headers": header_map(record.headers),
        "value": await _decode_value(codec, record.value),
    }


def _print_readable(item: dict[str, Any]) -> None:
    value = item["value"]
    headers = item["headers"]
    where = f"[dim]{item['topic']}[{item['partition']}]@{item['offset']}[/]"
    if "kcr_reason" in headers:
        console.print(f"{where} [red]REJECTED {headers['kcr_reason']}[/]: {headers['kcr_detail']}")
        return
    if isinstance(value, dict) and "type" in value and "data" in value:
        summary = f"{value['type']} from {value['source']} subject {value['subject']}"
        console.print(f"{where} {summary}")
        console.print_json(data=value["data"])
        return
    console.print(where)
    console.print_json(data=value)


async def _tail(topic: str, max_records: int, seconds: float, as_json: bool, begin: bool) -> int:
    cfg = settings()
    codec = EventCodec(HttpSchemaRegistry(cfg.registry_url))
    consumer = aio.consumer(
        cfg.bootstrap,
        topic,
        options=client_options(cfg),
        auto_offset_reset="earliest" if begin else "latest",
    )
    await consumer.start()
    seen = 0
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds if seconds > 0 else float("inf")
        while (max_records <= 0 or seen < max_records) and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for record in (r for records in batch.values() for r in records):
                item = await decode_record(codec, record)
                print(json.dumps(item, ensure_ascii=False)) if as_json else _print_readable(item)
                seen += 1
                if seen == max_records:
                    break
    finally:
        await consumer.stop()
    return seen


def tail(
    topic: str = typer.Argument(
        ..., help="Topic to read, e.g. kcr.log.incident or kcr.deadletter."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per record (JSON lines)."),
    max_records: int = typer.Option(0, "--max", help="Stop after N records (0: no limit)."),
    timeout: float = typer.Option(0.0, help="Stop after S seconds (0: until Ctrl-C)."),
    from_beginning: bool = typer.Option(
        True,
        "--from-beginning/--new-only",
        help="Start at the oldest record or only show new ones.",
    ),
) -> None:
    """Print a topic's records decoded: events as CloudEvents JSON, dead letters with a reason."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_tail(topic, max_records, timeout, as_json, from_beginning))
