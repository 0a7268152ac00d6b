"""``kcr registry serve``: run the schema registry in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Annotated

import typer

from hub.registry.compatibility import DEFAULT_COMPATIBILITY, CompatibilityLevel
from hub.registry.server import DEFAULT_HOST, DEFAULT_PORT, RegistryConfig, serve_registry
from hub.serving import until_signalled
from hub.settings import load_settings
from hub.topics.declaration import SCHEMAS

__all__ = ["registry_app"]

registry_app = typer.Typer(no_args_is_help=True, add_completion=False)


@registry_app.callback()
def registry() -> None:
    """A Confluent-compatible schema registry for Avro schemas, stored in a Kafka topic."""


@registry_app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    topic: Annotated[str, typer.Option(help="Compacted topic that stores the schemas.")] = SCHEMAS,
    compatibility: Annotated[
        CompatibilityLevel,
        typer.Option(
            case_sensitive=False,
            help="Compatibility level in force while no global level is set with PUT /config.",
        ),
    ] = DEFAULT_COMPATIBILITY,
) -> None:
    """Serve the registry REST API on the broker at KCR_BOOTSTRAP until Ctrl+C or SIGTERM.

    Anyone may read; only the hub writes: a service user of KCR_CREDENTIALS_FILE, else user
    hub with the token in $KCR_DATA_DIR/registry-token (written if missing).
    """
    config = replace(
        RegistryConfig.from_settings(load_settings()),
        host=host,
        port=port,
        topic=topic,
        default_compatibility=compatibility,
    )
    asyncio.run(until_signalled(lambda stop: serve_registry(config, stop)))
