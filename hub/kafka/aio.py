"""aiokafka clients for the asyncio edges that stay on it, built in one place.

Who uses it, and why it is aiokafka there (the hot paths are on librdkafka, see
:mod:`hub.kafka.history_reader` and :mod:`hub.kafka.gateway_clients`): the bridge (a produce
per HTTP request, an SSE stream per browser and a webhook consumer per organisation, all
awaited inside the web server's event loop), ``kcr publish`` and ``kcr tail`` (a few records
from a terminal), the schema registry's topic (a few hundred records), the simulator's
player (a record per beat) and the clock service (a tick record per tick). Each is
asyncio-native and low-volume: awaiting the client where it runs costs less than a thread per
librdkafka client. The exception in volume is the clock's log follower, which fetches every
log record to learn the offsets a tick covers: it is the first candidate for librdkafka when
the gateway's rate nears aiokafka's limit (about 30,000 records/s here).

The builders take the broker and the login options of :func:`hub.kafka.clients.client_options`
(``client_config`` in the services' settings) plus any tuning keywords. Callers catch
:class:`KafkaError` (aiokafka's error root) from here, not from aiokafka.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

__all__ = [
    "AIOKafkaAdminClient",
    "AIOKafkaConsumer",
    "AIOKafkaProducer",
    "ConsumerRecord",
    "KafkaError",
    "Record",
    "TopicPartition",
    "admin",
    "consumer",
    "producer",
]

Record: TypeAlias = ConsumerRecord[bytes, bytes]
"""A record as aiokafka's consumers return it (key and value as bytes)."""


def producer(
    bootstrap: str, options: Mapping[str, Any] | None = None, **tuning: Any
) -> AIOKafkaProducer:
    """An idempotent producer for ``bootstrap`` with the login ``options`` (not started).

    ``tuning`` adds or overrides aiokafka's producer keywords (``linger_ms``, ``client_id``).
    """
    settings: dict[str, Any] = {"enable_idempotence": True, **(options or {}), **tuning}
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **settings)


def consumer(
    bootstrap: str,
    *topics: str,
    options: Mapping[str, Any] | None = None,
    group_id: str | None = None,
    **tuning: Any,
) -> AIOKafkaConsumer:
    """A read-committed consumer of ``topics`` (none: assigned later), not started.

    Offsets are never committed automatically: a consumer in ``group_id`` commits what it
    handled itself. ``tuning`` adds or overrides aiokafka's consumer keywords.
    """
    settings: dict[str, Any] = {
        "enable_auto_commit": False,
        "isolation_level": "read_committed",
        **(options or {}),
        **tuning,
    }
    return AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=group_id, **settings)


def admin(bootstrap: str, options: Mapping[str, Any] | None = None) -> AIOKafkaAdminClient:
    """An admin client for metadata reads (topics, partitions), not started."""
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(options or {}))
