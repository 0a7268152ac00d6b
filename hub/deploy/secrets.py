"""The passwords of a deployed hub, written once as files the manifests mount.

``credentials.json`` is the file every hub service reads (``KCR_CREDENTIALS_FILE``); the same
passwords are also written one file per user under ``passwords/`` (for the Kubernetes Secret
that Strimzi's ``KafkaUser`` resources read) and as ``admin.password`` and
``controller.password`` for the brokers' static logins. An existing ``credentials.json`` is
kept, so running it again changes no password.
"""

from __future__ import annotations

from pathlib import Path

from hub.contracts.organisations import OrganisationRegistry
from hub.security.credentials import (
    ADMIN,
    Credentials,
    ensure_credentials,
    hub_users,
    write_private,
)

__all__ = ["write_secrets"]


def write_secrets(out: Path, registry: OrganisationRegistry) -> tuple[Credentials, bool]:
    """Write (or keep) ``out/credentials.json`` and the per-user files; True if generated now."""
    credentials, created = ensure_credentials(out / "credentials.json", hub_users(registry))
    for user, password in credentials.users.items():
        write_private(out / "passwords" / user, password)
    write_private(out / "admin.password", credentials.users[ADMIN])
    write_private(out / "controller.password", credentials.controller_password)
    return credentials, created
