"""The shapes records take between the librdkafka adapters and the code that uses them.

A consumed record is handed on as librdkafka's own ``Message`` (no copy per record); code
above ``hub/kafka/`` sees it through :class:`ConsumedRecord`, the methods it may call. A record
to produce is a plain tuple, :data:`OutRecord`.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias

__all__ = ["ConsumedRecord", "Header", "OutRecord", "Position"]

Position: TypeAlias = tuple[str, int]
"""A topic partition: (topic, partition)."""

Header: TypeAlias = tuple[str, bytes]
"""One record header. (A header sent with a null value arrives with ``None`` as its value.)"""

OutRecord: TypeAlias = tuple[str, bytes | None, bytes | None, list[Header]]
"""A record to produce: (topic, key, value, headers); a ``None`` value is a tombstone."""


class ConsumedRecord(Protocol):
    """What readers use of a consumed record (``confluent_kafka.Message`` has these methods)."""

    def topic(self) -> str | None:
        """The record's topic."""

    def partition(self) -> int | None:
        """The record's partition."""

    def offset(self) -> int | None:
        """The record's offset in its partition."""

    def key(self) -> bytes | None:
        """The record's key, if any."""

    def value(self) -> bytes | None:
        """The record's value (None for a tombstone)."""

    def headers(self) -> list[Header] | None:
        """The record's headers in their order, or None when it has none."""

    def timestamp(self) -> tuple[int, int]:
        """(timestamp type, milliseconds since the epoch): when the record was appended."""
