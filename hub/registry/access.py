"""Who may change the registry: the hub's own services, logged in with the hub's credentials.

Reads stay open to everyone (partners' stock serdes fetch schemas by id and look them up).
Every other request, registering a schema, setting a compatibility level or the mode, deleting,
needs HTTP basic (``user:password``) or a bearer token (the password alone) of a hub service
user. Where those come from, for the registry and for the hub's clients alike:

- ``KCR_CREDENTIALS_FILE`` set (a secure hub, and every deploy manifest): the service users of
  that file (``admin``, ``gateway``, ``processors``, ``registry``, ...); a hub process logs in
  as its own service user (``admin`` for operator commands). Partner users are not writers.
- no credentials file (the local demo and tests on a plaintext broker): one user ``hub`` whose
  token is in ``$KCR_DATA_DIR/registry-token`` (mode 0600), written by the first process that
  needs it, so ``kcr run``, ``make demo`` and ``kcr registry serve`` sharing a data dir agree.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hub.codec.registry_client import HttpSchemaRegistry
from hub.registry.errors import Unauthenticated
from hub.security.credentials import ADMIN, SERVICE_USERS, read_credentials
from hub.settings import Settings

__all__ = [
    "LOCAL_USER",
    "READ_METHODS",
    "TOKEN_FILE",
    "WriteAccess",
    "changes_registry",
    "hub_login",
    "hub_schema_registry",
    "local_token",
    "write_access",
]

LOCAL_USER = "hub"
"""The one writer of a registry without a credentials file."""
TOKEN_FILE = "registry-token"  # noqa: S105 - a file name, not a password
"""The local writer's token, in the data directory."""
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def changes_registry(method: str, path: str) -> bool:
    """Whether a request may change the registry, so needs a writer's credentials.

    Closed by default: every method but GET, HEAD and OPTIONS is a write, except two POSTs that
    only read: a lookup (``POST /subjects/{subject}``, what a stock serializer with
    ``auto.register.schemas=false`` sends) and a compatibility check (``POST /compatibility/...``).
    """
    if method.upper() in READ_METHODS:
        return False
    parts = path.strip("/").split("/")
    lookup = parts[0] == "subjects" and len(parts) == 2
    return not (method.upper() == "POST" and (lookup or parts[0] == "compatibility"))


@dataclass(frozen=True)
class WriteAccess:
    """The logins allowed to change the registry (user → password), and where they come from."""

    logins: Mapping[str, str]
    source: str

    def check(self, authorization: str | None) -> str:
        """Return the user an ``Authorization`` header proves; raise :class:`Unauthenticated`."""
        if not authorization:
            raise Unauthenticated("No credentials were sent.", self.source)
        scheme, _, value = authorization.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            user, password = _basic(value.strip(), self.source)
            if _matches(self.logins.get(user), password):
                return user
        elif scheme == "bearer":
            token = value.strip()
            for user, password in self.logins.items():
                if _matches(password, token):
                    return user
        else:
            raise Unauthenticated(f"The scheme {scheme!r} is not Basic or Bearer.", self.source)
        raise Unauthenticated("The user or password is wrong.", self.source)


def _matches(expected: str | None, given: str) -> bool:
    return expected is not None and hmac.compare_digest(expected.encode(), given.encode())


def _basic(value: str, source: str) -> tuple[str, str]:
    try:
        user, sep, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        problem = "The Basic credentials are not base64 of user:password."
        raise Unauthenticated(problem, source) from None
    if not sep:
        raise Unauthenticated(
            "The Basic credentials hold no ':' between user and password.", source
        )
    return user, password


def local_token(path: Path) -> str:
    """The token in ``path``, written first (0600, atomically) if no process wrote it yet."""
    with contextlib.suppress(FileNotFoundError):
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(24) + "\n")
    try:
        os.link(draft, path)  # fails if another process linked its token first: use that one
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def write_access(settings: Settings) -> WriteAccess:
    """The registry's writers under ``settings`` (see the module's docstring)."""
    path = settings.credentials_file
    if path is not None:
        credentials = read_credentials(path)
        users = {u: p for u, p in credentials.users.items() if u in SERVICE_USERS}
        return WriteAccess(users, "a hub service user and password from KCR_CREDENTIALS_FILE")
    token = local_token(settings.data_dir / TOKEN_FILE)
    return WriteAccess({LOCAL_USER: token}, f"user {LOCAL_USER} and $KCR_DATA_DIR/{TOKEN_FILE}")


def hub_login(settings: Settings, service: str | None = None) -> tuple[str, str]:
    """The (user, password) a hub process sends to change the registry.

    With a credentials file: ``service``'s own user (``admin`` if none is given); without:
    ``hub`` and the local token.
    """
    path = settings.credentials_file
    if path is not None:
        user = service if service in SERVICE_USERS else ADMIN
        return user, read_credentials(path).password(user, path)
    return LOCAL_USER, local_token(settings.data_dir / TOKEN_FILE)


def hub_schema_registry(settings: Settings, service: str | None = None) -> HttpSchemaRegistry:
    """A client of ``KCR_REGISTRY_URL`` that registers as the hub (``service``'s login)."""
    return HttpSchemaRegistry(settings.registry_url, login=hub_login(settings, service))
