"""A Confluent-Schema-Registry-compatible registry for the hub's Avro schemas.

Any Confluent-compatible registry can stand in for it: it serves the same REST API (paths, JSON
shapes, status and error codes) for AVRO schemas, checks compatibility with the ``avro`` package's
reader/writer checker (default ``FULL_TRANSITIVE``, see :mod:`hub.registry.compatibility`), and
keeps its state in a compacted Kafka topic (``_kcr_schemas``), read back on start.

Layers: :mod:`~hub.registry.state` (pure decisions) ← :mod:`~hub.registry.service` (state plus a
record log) ← :mod:`~hub.registry.routes` / :mod:`~hub.registry.app` (HTTP) ←
:mod:`~hub.registry.server` (uvicorn, Kafka) ← :mod:`~hub.registry.cli`.
"""

from hub.registry.compatibility import DEFAULT_COMPATIBILITY, CompatibilityLevel
from hub.registry.kafka_log import KafkaRecordLog
from hub.registry.server import RegistryConfig, RegistryServer, serve_registry
from hub.registry.service import MemoryRecordLog, RecordLog, Registry
from hub.registry.state import RegistryState

__all__ = [
    "DEFAULT_COMPATIBILITY",
    "CompatibilityLevel",
    "KafkaRecordLog",
    "MemoryRecordLog",
    "RecordLog",
    "Registry",
    "RegistryConfig",
    "RegistryServer",
    "RegistryState",
    "serve_registry",
]
