"""The librdkafka admin client for topics, ACLs, SCRAM users and broker probes.

Administration runs on librdkafka (confluent-kafka): its admin API covers what the hub sets
up (topics and their configs, ACLs, SCRAM credentials), which aiokafka's does not fully.
:func:`admin_client` builds the client; the request types of its API and the errors its
futures raise are re-exported here, so the modules that administer the cluster
(:mod:`hub.topics.admin`, :mod:`hub.security.admin`, :mod:`hub.deploy.scram`,
:mod:`hub.broker`) import no client library themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)

__all__ = [
    "AclBinding",
    "AclBindingFilter",
    "AclOperation",
    "AclPermissionType",
    "AdminClient",
    "ConfigResource",
    "KafkaError",
    "KafkaException",
    "NewTopic",
    "ResourcePatternType",
    "ResourceType",
    "ScramCredentialInfo",
    "ScramMechanism",
    "UserScramCredentialAlteration",
    "UserScramCredentialUpsertion",
    "admin_client",
]


def admin_client(bootstrap: str, options: Mapping[str, str] | None = None) -> AdminClient:
    """An admin client for ``bootstrap`` with the login ``options`` (librdkafka keys), quiet.

    librdkafka's own log lines are off (``log_level`` 0): callers report failures themselves.
    """
    return AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, **(options or {})})
