"""The ``kcr`` command: assembles the command groups and turns hub errors into clear messages."""

from __future__ import annotations

import sys

import typer

from hub.bridge.cli import bridge_app
from hub.cli.acl_cmd import acl_app
from hub.cli.asyncapi_cmd import asyncapi
from hub.cli.broker_cmd import broker_app
from hub.cli.common import err_console
from hub.cli.connect_cmd import connect_app
from hub.cli.demo_cmd import demo
from hub.cli.deploy_cmd import deploy_app
from hub.cli.export_cmd import export
from hub.cli.publish_cmd import publish
from hub.cli.replay_cmd import replay
from hub.cli.report_cmd import report
from hub.cli.run_cmd import run
from hub.cli.tail_cmd import tail
from hub.cli.topics_cmd import topics_app
from hub.cli.views_cmd import signals_app, views_app
from hub.errors import HubError
from hub.logs import configure_logging
from hub.registry.cli import registry_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="kcr",
    help="KCR hub: the national crisis information hub of the Dutch safety regions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(broker_app, name="broker")
app.add_typer(acl_app, name="acl")
app.add_typer(topics_app, name="topics")
app.add_typer(registry_app, name="registry")
app.add_typer(views_app, name="views")
app.add_typer(signals_app, name="signals")
app.add_typer(bridge_app, name="bridge")
app.add_typer(connect_app, name="connect")
app.add_typer(deploy_app, name="deploy")
app.command("run")(run)
app.command("publish")(publish)
app.command("tail")(tail)
app.command("demo")(demo)
app.command("asyncapi")(asyncapi)
app.command("replay")(replay)
app.command("export")(export)
app.command("report")(report)


def main() -> None:
    """Run ``kcr``; a :class:`HubError` is printed as a message with its fix, exit code 1."""
    configure_logging()
    try:
        app()
    except HubError as error:
        err_console.print(f"[bold red]error:[/] {error.message}", highlight=False)
        if error.fix:
            err_console.print(f"[bold]fix:[/] {error.fix}", highlight=False)
        sys.exit(1)
