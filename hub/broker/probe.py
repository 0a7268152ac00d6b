"""Ask a Kafka cluster whether it answers: a metadata request, not a log grep."""

from __future__ import annotations

import socket

from hub.kafka.admin import admin_client

__all__ = ["broker_answers", "port_is_open"]


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Return whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def broker_answers(bootstrap: str, timeout: float = 2.0, **config: str) -> bool:
    """Return whether a client gets cluster metadata with at least one broker from ``bootstrap``."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if not port_is_open(host, int(port)):
        return False
    admin = admin_client(bootstrap, config)
    try:
        metadata = admin.list_topics(timeout=timeout)
    except Exception:
        return False
    return bool(metadata.brokers)
