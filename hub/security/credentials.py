"""SCRAM users of a secure hub and their generated passwords (``credentials.json``, mode 0600).

One user per partner organisation (its id, from the organisation registry) and one per hub
service (:data:`SERVICE_USERS`); ``admin`` is a super user. The file also holds the password of
the controller listener's static PLAIN user. It is written once, before the broker's storage is
formatted with the same users (``StorageTool format --add-scram``).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hub.contracts.organisations import OrganisationRegistry
from hub.security.errors import CredentialsError

__all__ = [
    "ADMIN",
    "MECHANISM",
    "SERVICE_USERS",
    "Credentials",
    "ensure_credentials",
    "generate_credentials",
    "hub_users",
    "organisation_users",
    "read_credentials",
    "scram_arguments",
    "write_credentials",
    "write_private",
]

ADMIN = "admin"
MECHANISM = "SCRAM-SHA-512"
SERVICE_USERS = ("admin", "gateway", "processors", "clock", "registry", "bridge", "dashboard")


@dataclass(frozen=True)
class Credentials:
    """Every SCRAM user's password, and the controller listener's password."""

    users: Mapping[str, str]
    controller_password: str
    mechanism: str = MECHANISM

    def password(self, user: str, path: Path | None = None) -> str:
        """Return ``user``'s password; a :class:`CredentialsError` if the file has no such user."""
        try:
            return self.users[user]
        except KeyError:
            raise CredentialsError(
                path, f"The credentials file has no user {user!r}.",
                fix="remove the broker's data dir and credentials.json, then start it with "
                "--secure again (users are created when the storage is formatted).",
            ) from None  # fmt: skip

    def to_json(self) -> str:
        """The file's JSON text."""
        body = {
            "mechanism": self.mechanism,
            "controller_password": self.controller_password,
            "users": dict(sorted(self.users.items())),
        }
        return json.dumps(body, indent=2) + "\n"


def organisation_users(registry: OrganisationRegistry) -> tuple[str, ...]:
    """The partner organisations that get a SCRAM user (every one but the hub itself)."""
    return tuple(org for org in registry.ids() if registry.role_of(org).name != "hub")


def hub_users(registry: OrganisationRegistry) -> tuple[str, ...]:
    """Every SCRAM user of a secure hub: the services first, then the organisations."""
    orgs = organisation_users(registry)
    clash = sorted(set(orgs) & set(SERVICE_USERS))
    if clash:
        raise CredentialsError(
            None, f"Organisation ids {clash} clash with hub service users.",
            fix="rename the organisation in hub/contracts/data/organisations.json.",
        )  # fmt: skip
    return (*SERVICE_USERS, *orgs)


def generate_credentials(users: Iterable[str]) -> Credentials:
    """New random passwords (hex, so they need no quoting in Kafka's SCRAM syntax)."""
    return Credentials(
        users={user: secrets.token_hex(24) for user in users},
        controller_password=secrets.token_hex(24),
    )


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (0600, also if it existed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def write_credentials(path: Path, credentials: Credentials) -> None:
    """Write ``credentials`` to ``path``, readable by its owner only (0600)."""
    write_private(path, credentials.to_json())


def read_credentials(path: Path) -> Credentials:
    """Read a credentials file written by :func:`write_credentials`."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(
            users={str(k): str(v) for k, v in body["users"].items()},
            controller_password=str(body["controller_password"]),
            mechanism=str(body.get("mechanism", MECHANISM)),
        )
    except FileNotFoundError:
        raise CredentialsError(
            path, f"No credentials file at {path}.",
            fix="start the broker with `kcr broker start --secure` (it writes the file), or "
            "set KCR_CREDENTIALS_FILE.",
        ) from None  # fmt: skip
    except (ValueError, KeyError, AttributeError) as exc:
        raise CredentialsError(
            path, f"The credentials file {path} is not valid: {exc}.",
            fix="restore it from the copy the broker was formatted with.",
        ) from None  # fmt: skip


def ensure_credentials(path: Path, users: Iterable[str]) -> tuple[Credentials, bool]:
    """Return the credentials at ``path``, generating and writing them first if absent.

    The flag says whether they were generated now.
    """
    if path.exists():
        return read_credentials(path), False
    credentials = generate_credentials(users)
    write_credentials(path, credentials)
    return credentials, True


def scram_arguments(credentials: Credentials) -> list[str]:
    """The ``StorageTool format`` arguments that create every SCRAM user."""
    arguments: list[str] = []
    for user, password in sorted(credentials.users.items()):
        arguments += ["--add-scram", f"{credentials.mechanism}=[name={user},password={password}]"]
    return arguments
