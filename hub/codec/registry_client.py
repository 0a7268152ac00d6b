"""A thin, typed wrapper over python-schema-registry-client (Confluent REST API).

It turns the client's outcomes into the hub's vocabulary: a schema id that the registry does not
know is ``None`` (the caller dead-letters the record); a registry that does not answer raises
:class:`RegistryUnavailable` (the caller retries, it never dead-letters for that).

Only the hub writes to its registry: a client given the hub's ``login`` sends it (HTTP basic)
with every request. Writes are made only when needed, so a client without a login works against
a registry the hub has filled: :meth:`HttpSchemaRegistry.register` looks the schema up first
and :meth:`HttpSchemaRegistry.set_compatibility` reads the level first.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import httpx
from schema_registry.client import AsyncSchemaRegistryClient
from schema_registry.client.errors import ClientError

from hub.errors import HubError

__all__ = ["HttpSchemaRegistry", "RegistryUnavailable", "SchemaRefused", "SchemaRegistry"]

AvroSchemaDict = dict[str, Any]


class RegistryUnavailable(HubError, ConnectionError):
    """The schema registry did not answer; a transport error, retried by callers."""

    def __init__(self, url: str, cause: Exception) -> None:
        self.url = url
        super().__init__(
            f"The schema registry at {url} does not answer ({type(cause).__name__}: {cause}).",
            fix="start it (`kcr run` or `kcr registry serve`) or set KCR_REGISTRY_URL.",
        )


class SchemaRefused(HubError, ValueError):
    """The registry refused to register a schema (incompatible, invalid, or not the hub's login)."""

    def __init__(self, subject: str, status: int, detail: str) -> None:
        self.subject = subject
        self.status = status
        fix = None
        if status in (401, 403):
            fix = (
                "register as the hub: run it with the hub's KCR_CREDENTIALS_FILE (or KCR_DATA_DIR "
                "of the local hub), or let the hub register the schema first; partners only read."
            )
        super().__init__(
            f"The registry refused schema {subject!r} (HTTP {status}): {detail}", fix=fix
        )


class SchemaRegistry(Protocol):
    """What the codec needs of a schema registry."""

    async def register(self, subject: str, schema: AvroSchemaDict) -> int:
        """Register ``schema`` under ``subject`` (idempotent) and return its global id."""
        ...

    async def schema_by_id(self, schema_id: int) -> AvroSchemaDict | None:
        """Return the schema with ``schema_id``, or None when the registry has no such id."""
        ...

    async def set_compatibility(self, subject: str, level: str) -> None:
        """Set the compatibility level the registry enforces for ``subject``."""
        ...


class HttpSchemaRegistry:
    """A Confluent-compatible registry reached over HTTP (ours or any other)."""

    def __init__(
        self, url: str, timeout: float = 10.0, login: tuple[str, str] | None = None
    ) -> None:
        """Talk to the registry at ``url``; with ``login`` (user, password) as a writer."""
        self.url = url.rstrip("/")
        auth = httpx.BasicAuth(*login) if login is not None else None
        self._client = AsyncSchemaRegistryClient(
            url=self.url, timeout=httpx.Timeout(timeout), auth=auth
        )

    async def register(self, subject: str, schema: AvroSchemaDict) -> int:
        """Register ``schema`` under ``subject`` (idempotent) and return its global id."""
        try:
            schema_id: int = await self._client.register(subject, schema)
        except httpx.TransportError as error:
            raise RegistryUnavailable(self.url, error) from error
        except ClientError as error:
            detail = json.dumps(error.server_traceback) if error.server_traceback else str(error)
            raise SchemaRefused(subject, error.http_code or 0, detail) from error
        return schema_id

    async def schema_by_id(self, schema_id: int) -> AvroSchemaDict | None:
        """Return the schema with ``schema_id``, or None when the registry has no such id."""
        try:
            found = await self._client.get_by_id(schema_id)
        except httpx.TransportError as error:
            raise RegistryUnavailable(self.url, error) from error
        except ClientError as error:
            if (error.http_code or 0) >= 500:
                raise RegistryUnavailable(self.url, error) from error
            return None
        if found is None:
            return None
        raw: AvroSchemaDict = found.raw_schema
        return raw

    async def set_compatibility(self, subject: str, level: str) -> None:
        """Set the compatibility level the registry enforces for ``subject`` (if it differs)."""
        if await self._level(subject) == level:
            return
        try:
            await self._client.update_compatibility(level, subject)
        except httpx.TransportError as error:
            raise RegistryUnavailable(self.url, error) from error
        except ClientError as error:
            detail = json.dumps(error.server_traceback) if error.server_traceback else str(error)
            raise SchemaRefused(subject, error.http_code or 0, detail) from error

    async def _level(self, subject: str) -> str | None:
        """The subject's own compatibility level, or None when it has none (or is unknown)."""
        try:
            level: str = await self._client.get_compatibility(subject)
        except httpx.TransportError as error:
            raise RegistryUnavailable(self.url, error) from error
        except ClientError:
            return None
        return level
