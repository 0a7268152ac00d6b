"""``kcr asyncapi``: write the AsyncAPI 3.0.0 document of every hub topic."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.asyncapi import build_document, render_document, write_document
from hub.cli.common import err_console

__all__ = ["asyncapi"]

_PREFIX = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")


def asyncapi(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="File to write: *.json or *.yaml/*.yml (default: JSON to stdout)."
        ),
    ] = None,
    prefix: Annotated[
        str, typer.Option("--prefix", help="First part of every topic name.")
    ] = "kcr",
) -> None:
    """Write the AsyncAPI 3.0.0 document of every hub topic, generated from the declaration."""
    if not _PREFIX.match(prefix):
        raise typer.BadParameter(
            f"{prefix!r} is not a topic prefix such as 'kcr'", param_hint="--prefix"
        )
    document = build_document(prefix)
    if out is None:
        sys.stdout.write(render_document(document))
        return
    write_document(document, out)
    err_console.print(
        f"wrote {out}: {len(document['channels'])} channels, "
        f"{len(document['operations'])} operations, "
        f"{len(document['components']['messages'])} messages",
        highlight=False,
        soft_wrap=True,
    )
