"""``kcr bridge``: serve the REST/webhook bridge; ``kcr bridge keys add ORG``: issue an API key."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Annotated

import typer

from hub.bridge.config import BridgeConfig
from hub.bridge.keys import ApiKeyStore
from hub.bridge.server import serve_bridge
from hub.contracts.organisations import load_registry
from hub.serving import until_signalled
from hub.settings import load_settings

__all__ = ["bridge_app"]

bridge_app = typer.Typer(no_args_is_help=False, add_completion=False)
keys_app = typer.Typer(no_args_is_help=True, add_completion=False)
bridge_app.add_typer(keys_app, name="keys", help="Issue and list the bridge's API keys.")


@bridge_app.callback(invoke_without_command=True)
def bridge(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option(help="Port (default KCR_BRIDGE_PORT, 18080).")] = None,
    host: Annotated[str | None, typer.Option(help="Address (default KCR_BRIDGE_HOST).")] = None,
) -> None:
    """The REST/webhook bridge: serves until Ctrl+C or SIGTERM (unless a subcommand is given)."""
    if ctx.invoked_subcommand is not None:
        return
    config = BridgeConfig.from_settings(load_settings())
    config = dataclasses.replace(
        config, port=config.port if port is None else port, host=host or config.host
    )

    def announce(url: str) -> None:
        print(f"KCR bridge on {url}", flush=True)

    asyncio.run(until_signalled(lambda stop: serve_bridge(config, stop, on_listening=announce)))


@keys_app.command("add")
def add(org: Annotated[str, typer.Argument(help="The organisation, e.g. vr07.")]) -> None:
    """Issue a new API key for ORG: printed once, only its salted hash is stored."""
    load_registry().get(org)
    store = ApiKeyStore(load_settings().resolved_bridge_keys_file)
    key = store.add(org, datetime.now(UTC).isoformat())
    typer.echo(f"API key for {org} (shown only now; store it safely):")
    typer.echo(key)


@keys_app.command("list")
def list_keys() -> None:
    """List the organisations that have keys (never the keys)."""
    store = ApiKeyStore(load_settings().resolved_bridge_keys_file)
    for org, count in sorted(store.organisations().items()):
        typer.echo(f"{org}: {count} key(s)")
