"""``kcr export``: the log (or chosen topics) between two times, as an Avro archive file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import console, settings
from hub.cli.progress import log_size, progress_bar
from hub.cli.replay_cmd import parse_time
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.history.archive.export import export_log, list_topics, select_topics
from hub.kafka.clients import client_options, confluent_options

__all__ = ["export"]


async def _export(patterns: list[str], out: Path, since: str | None, until: str | None) -> int:
    cfg = settings()
    options = confluent_options(cfg)
    topics = select_topics(await list_topics(cfg.bootstrap, options), patterns)
    codec = EventCodec(HttpSchemaRegistry(cfg.registry_url))
    total = await log_size(cfg.bootstrap, topics, client_options(cfg))
    with progress_bar(f"exporting to {out.name}", total, True) as advance:
        return await export_log(
            cfg.bootstrap, codec, topics, out, (parse_time(since), parse_time(until)), options,
            advance,
        )  # fmt: skip


def export(
    out: Annotated[Path, typer.Option(help="The archive to write (Avro container, deflate).")],
    since: Annotated[
        str | None, typer.Option(help="RFC 3339: only records with a Kafka timestamp from then.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="RFC 3339: only records with a Kafka timestamp up to then.")
    ] = None,
    topics: Annotated[
        list[str] | None,
        typer.Option(help="Topic glob pattern, repeatable; default every <prefix>.log.* topic."),
    ] = None,
) -> None:
    """Write log records to an Avro Object Container File any Avro reader opens."""
    patterns = topics or [f"{settings().topics.prefix}.log.*"]
    count = asyncio.run(_export(patterns, out, since, until))
    console.print(f"{count} record(s) written to {out}")
