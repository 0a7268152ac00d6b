"""The registry service: the state in memory, every change written to a record log first.

A :class:`RecordLog` is where the records live: :class:`hub.registry.kafka_log.KafkaRecordLog`
(the compacted topic) for the real service, :class:`MemoryRecordLog` for tests. A change is
decided on the current state, its records are appended (and, for Kafka, acknowledged by all
in-sync replicas), and only then applied; so the state never holds what the log does not.

There is one writer per log: changes are serialised by a lock inside one process, and the
service does not follow records that another process appends. Run one registry per topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Protocol, TypeVar

from hub.logs import get_logger
from hub.registry.compatibility import DEFAULT_COMPATIBILITY, CompatibilityLevel
from hub.registry.records import Record
from hub.registry.state import Plan, RegistryState

__all__ = ["MemoryRecordLog", "RecordLog", "Registry"]

T = TypeVar("T")
_log = get_logger(__name__)


class RecordLog(Protocol):
    """Durable, ordered storage of the registry's records."""

    async def read_all(self) -> list[Record]:
        """Every record stored so far, oldest first."""
        ...

    async def append(self, record: Record) -> None:
        """Store ``record`` durably; return only once it is stored, raise if it was not."""
        ...

    async def close(self) -> None:
        """Release the log's connections."""
        ...


class MemoryRecordLog:
    """A record log in a list: for tests, and to show what a log must do."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self.records: list[Record] = list(records)

    async def read_all(self) -> list[Record]:
        """Every record appended so far."""
        return list(self.records)

    async def append(self, record: Record) -> None:
        """Keep ``record``."""
        self.records.append(record)

    async def close(self) -> None:
        """Nothing to release."""


class Registry:
    """The state of the registry and the one way to change it (:meth:`execute`)."""

    def __init__(self, log: RecordLog, state: RegistryState) -> None:
        self._log = log
        self._state = state
        self._lock = asyncio.Lock()

    @classmethod
    async def load(
        cls, log: RecordLog, default_level: CompatibilityLevel = DEFAULT_COMPATIBILITY
    ) -> Registry:
        """A registry whose state is every record of ``log`` applied in order."""
        state = RegistryState(default_level)
        records = await log.read_all()
        for record in records:
            state.apply(record)
        _log.info("registry.loaded", records=len(records), subjects=len(state.subjects()))
        return cls(log, state)

    @property
    def state(self) -> RegistryState:
        """The current state, for reading (change it only through :meth:`execute`)."""
        return self._state

    async def execute(self, decide: Callable[[RegistryState], Plan[T]]) -> T:
        """Decide a change on the current state, store its records, apply them, answer.

        Changes run one at a time, so two registrations cannot take the same id or version.
        """
        async with self._lock:
            plan = decide(self._state)
            for record in plan.records:
                await self._log.append(record)
                self._state.apply(record)
                _log.info("registry.changed", kind=type(record).__name__, **_loggable(record))
            return plan.result

    async def close(self) -> None:
        """Close the record log."""
        await self._log.close()


def _loggable(record: Record) -> dict[str, object]:
    fields = asdict(record)
    fields.pop("schema", None)  # long, and already stored in the topic
    if "level" in fields:  # "level" is the log line's own severity in structlog
        fields["compatibility"] = fields.pop("level")
    return fields
