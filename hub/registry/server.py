"""Running the registry: load the topic, listen, serve with uvicorn until asked to stop.

:func:`serve_registry` is the coroutine other services run it with (``kcr run``, tests)::

    stop = asyncio.Event()
    ready = asyncio.Event()
    task = asyncio.create_task(serve_registry(RegistryConfig(bootstrap=...), stop, ready))
    await ready.wait()      # the topic is read and the port listens
    ...
    stop.set()
    await task              # in-flight requests finished, producer flushed, port closed

uvicorn runs without its own signal handlers: the embedding process owns SIGINT and SIGTERM and
sets ``stop``. The listening socket is bound before ``ready`` is set, so a client that connects
right after ``ready`` is queued rather than refused.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hub.kafka.clients import client_options, confluent_options
from hub.logs import get_logger
from hub.registry.access import WriteAccess, write_access
from hub.registry.app import create_app
from hub.registry.compatibility import DEFAULT_COMPATIBILITY, CompatibilityLevel
from hub.registry.errors import RegistryPortInUse
from hub.registry.kafka_log import KafkaRecordLog
from hub.registry.service import RecordLog, Registry
from hub.serving import EmbeddedServer, embedded_config, listen
from hub.settings import Settings
from hub.topics.declaration import SCHEMAS

__all__ = ["DEFAULT_PORT", "RegistryConfig", "RegistryServer", "serve_registry"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 18081
_GRACE_S = 5
_log = get_logger(__name__)


@dataclass(frozen=True)
class RegistryConfig:
    """Where the registry keeps its records, where it listens (port 0: any free port), who writes.

    ``access`` names the writers; without it anyone may write (registries embedded in tests and
    benchmarks), which the registry logs as a warning when it starts.
    """

    bootstrap: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    topic: str = SCHEMAS
    default_compatibility: CompatibilityLevel = DEFAULT_COMPATIBILITY
    client_config: Mapping[str, Any] = field(default_factory=dict)
    admin_config: Mapping[str, str] = field(default_factory=dict)
    access: WriteAccess | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RegistryConfig:
        """Bootstrap from ``KCR_BOOTSTRAP``; host and port from ``KCR_REGISTRY_URL``.

        On a secure broker the registry reads and writes as its own user (``registry``) and
        creates its topic as the operator. Only the hub writes: the service users of
        ``KCR_CREDENTIALS_FILE``, or without one the local token in ``KCR_DATA_DIR``
        (:func:`hub.registry.access.write_access`).
        """
        url = urlsplit(settings.registry_url)
        return cls(
            bootstrap=settings.bootstrap,
            host=url.hostname or DEFAULT_HOST,
            port=url.port or DEFAULT_PORT,
            topic=settings.topics.schemas,
            client_config=client_options(settings, service="registry"),
            admin_config=confluent_options(settings),
            access=write_access(settings),
        )


class RegistryServer:
    """One registry: :meth:`start` loads and listens, :meth:`serve` answers, :meth:`close` ends.

    ``log`` replaces the Kafka topic (tests give a :class:`~hub.registry.service.MemoryRecordLog`).
    """

    def __init__(self, config: RegistryConfig, log: RecordLog | None = None) -> None:
        self.config = config
        self._log = log
        self._registry: Registry | None = None
        self._socket: socket.socket | None = None
        self._port = config.port

    async def start(self) -> None:
        """Read the records into memory and bind the port (the topic is created if missing)."""
        log = self._log
        if log is None:
            kafka_log = KafkaRecordLog(
                self.config.bootstrap, self.config.topic,
                self.config.client_config, self.config.admin_config,
            )  # fmt: skip
            await kafka_log.start()
            log = kafka_log
        try:
            registry = await Registry.load(log, self.config.default_compatibility)
            host, port = self.config.host, self.config.port
            self._socket = listen(host, port, lambda why: RegistryPortInUse(host, port, why))
        except BaseException:
            await log.close()
            raise
        self._registry = registry
        self._port = self._socket.getsockname()[1]

    @property
    def port(self) -> int:
        """The port the registry listens on (the one bound, after :meth:`start`)."""
        return self._port

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. ``http://127.0.0.1:18081``."""
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        return f"http://{host}:{self.port}"

    async def serve(self, stop: asyncio.Event) -> None:
        """Answer requests until ``stop`` is set, then let in-flight requests finish."""
        if self._registry is None or self._socket is None:
            raise RuntimeError("RegistryServer.serve() needs start() first")
        app = create_app(self._registry, self.config.access)
        server = EmbeddedServer(embedded_config(app, _GRACE_S))
        serving = asyncio.create_task(server.serve(sockets=[self._socket]))
        stopping = asyncio.create_task(stop.wait())
        access = self.config.access
        if access is None:
            _log.warning("registry.open_for_writes", url=self.url, topic=self.config.topic)
        writers = "anyone" if access is None else access.source
        _log.info("registry.serving", url=self.url, topic=self.config.topic, writers=writers)
        try:
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            server.should_exit = True
            stopping.cancel()
            await serving
        _log.info("registry.stopped", url=self.url)

    async def close(self) -> None:
        """Close the port (if still open) and the record log."""
        if self._socket is not None:
            self._socket.close()
        if self._registry is not None:
            await self._registry.close()
            self._registry = None


async def serve_registry(
    config: RegistryConfig, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> None:
    """Run the registry of ``config`` until ``stop`` is set; set ``ready`` once it listens."""
    server = RegistryServer(config)
    try:
        await server.start()
        if ready is not None:
            ready.set()
        await server.serve(stop)
    finally:
        await server.close()
