"""The librdkafka settings every client of the hub shares, in one place.

Each hub consumer reads committed records only, commits or stores no offset on its own (the
hub decides what is done: in a transaction, or not at all), starts at the beginning when it
has no offset, and logs only errors (the hub logs what matters through structlog). Each producer
is idempotent with ``acks=all``. A client adds its own settings (``extra``) and the login
(``options``: :func:`hub.kafka.clients.confluent_options`), which win over the shared ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["consumer_config", "producer_config"]

_QUIET = 3  # syslog level "error"


def consumer_config(
    bootstrap: str,
    group: str,
    options: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Settings of a read-committed consumer of ``group`` that never commits by itself."""
    return {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "isolation.level": "read_committed",
        "auto.offset.reset": "earliest",
        "log_level": _QUIET,
        **(extra or {}),
        **(options or {}),
    }


def producer_config(
    bootstrap: str,
    options: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Settings of an idempotent producer that waits for every in-sync replica."""
    return {
        "bootstrap.servers": bootstrap,
        "acks": "all",
        "enable.idempotence": True,
        "log_level": _QUIET,
        **(extra or {}),
        **(options or {}),
    }
