"""``kcr deploy``: render the deployment manifests; make and install a deployment's passwords."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import console, settings
from hub.contracts.organisations import load_registry
from hub.deploy import TARGETS, render, write_rendered
from hub.kafka.clients import confluent_options
from hub.security.credentials import read_credentials

__all__ = ["deploy_app"]

deploy_app = typer.Typer(
    help="Deployment manifests (Kubernetes/Strimzi, Docker Compose) generated from the code.",
    no_args_is_help=True,
)


@deploy_app.command("render")
def render_cmd(
    target: Annotated[str, typer.Argument(help=f"What to render: {' or '.join(TARGETS)}.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write to (default deploy/TARGET).")
    ] = None,
) -> None:
    """Write the manifests of TARGET from the topic declaration, registry and ACLs."""
    if target not in TARGETS:
        raise typer.BadParameter(
            f"unknown target {target!r}; choose from {', '.join(TARGETS)}", param_hint="TARGET"
        )
    for path in write_rendered(out or Path("deploy") / target, render(target)):
        console.print(f"wrote {path}", highlight=False)


@deploy_app.command("secrets")
def secrets_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for the password files.")],
) -> None:
    """Generate every user's password once (credentials.json, passwords/USER); keep existing."""
    from hub.deploy.secrets import write_secrets

    credentials, created = write_secrets(out, load_registry())
    verb = "generated" if created else "kept"
    console.print(f"{verb} {len(credentials.users)} users' passwords in {out}", highlight=False)


@deploy_app.command("users")
def users_cmd(
    credentials: Annotated[
        Path, typer.Option("--credentials", help="The credentials.json of `kcr deploy secrets`.")
    ],
) -> None:
    """Create or update every user's SCRAM-SHA-512 login on the cluster at KCR_BOOTSTRAP.

    Logs in as the operator (admin of the credentials file unless KCR_SASL_USERNAME is set).
    """
    from hub.deploy.scram import upsert_scram_users

    cfg = settings()
    if cfg.credentials_file is None and cfg.sasl_username is None:
        cfg = cfg.model_copy(update={"credentials_file": credentials})
    users = upsert_scram_users(cfg.bootstrap, confluent_options(cfg), read_credentials(credentials))
    console.print(f"SCRAM-SHA-512 logins set for {len(users)} users.")
