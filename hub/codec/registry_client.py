"""A thin, typed wrapper over python-schema-registry-client (Confluent REST API).

It turns the client's outcomes into the hub's vocabulary: a schema id that the registry does not
know is ``None`` (the caller dead-letters the record); a registry that does not answer raises
:class:`RegistryUnavailable` (the caller retries, it never dead-letters for that).
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
    """The registry refused to register a schema (incompatible or invalid)."""

    def __init__(self, subject: str, status: int, detail: str) -> None:
        self.subject = subject
        self.status = status
        super().__init__(f"The registry refused schema {subject!r} (HTTP {status}): {detail}")


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

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        """Talk to the registry at ``url``."""
        self.url = url.rstrip("/")
        self._client = AsyncSchemaRegistryClient(url=self.url, timeout=httpx.Timeout(timeout))

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
        """Set the compatibility level the registry enforces for ``subject``."""
        try:
            await self._client.update_compatibility(level, subject)
        except httpx.TransportError as error:
            raise RegistryUnavailable(self.url, error) from error
        except ClientError as error:
            detail = json.dumps(error.server_traceback) if error.server_traceback else str(error)
            raise SchemaRefused(subject, error.http_code or 0, detail) from error
