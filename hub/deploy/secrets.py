"""The passwords of a deployed hub, written once as files the manifests mount.

``credentials.json`` is the file every hub service reads (``KCR_CREDENTIALS_FILE``); the same
passwords are also written one file per user under ``passwords/`` (for the Kubernetes Secret
that Strimzi's ``KafkaUser`` resources read) and as ``admin.password`` and
``controller.password`` for the brokers' static logins. An existing ``credentials.json`` is
kept, so running it again changes no password.
"""

from __future__ import annotations

import os
from pathlib import Path

from hub.contracts.organisations import OrganisationRegistry
from hub.security.credentials import ADMIN, Credentials, ensure_credentials, hub_users

__all__ = ["write_secrets"]


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_secrets(out: Path, registry: OrganisationRegistry) -> tuple[Credentials, bool]:
    """Write (or keep) ``out/credentials.json`` and the per-user files; True if generated now."""
    credentials, created = ensure_credentials(out / "credentials.json", hub_users(registry))
    for user, password in credentials.users.items():
        _write_private(out / "passwords" / user, password)
    _write_private(out / "admin.password", credentials.users[ADMIN])
    _write_private(out / "controller.password", credentials.controller_password)
    return credentials, created
