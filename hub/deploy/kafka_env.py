"""Broker settings as the environment of the official ``apache/kafka`` image.

The image turns ``KAFKA_<NAME>`` variables into ``server.properties`` entries: a single ``_``
becomes ``.``, a double ``__`` becomes ``_`` and a triple ``___`` becomes ``-``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["from_env_name", "to_env", "to_env_name"]


def to_env_name(key: str) -> str:
    """The image variable of property ``key``.

    ``listener.name.sasl_ssl.scram-sha-512`` -> ``KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___512``.
    """
    return "KAFKA_" + key.replace("_", "__").replace("-", "___").replace(".", "_").upper()


def from_env_name(name: str) -> str:
    """The property an image variable sets (the reverse of :func:`to_env_name`)."""
    body = name.removeprefix("KAFKA_").lower()
    marked = body.replace("___", "\0").replace("__", "\1").replace("_", ".")
    return marked.translate({0: "-", 1: "_"})


def to_env(configs: Mapping[str, str]) -> dict[str, str]:
    """Every property of ``configs`` as an image variable."""
    return {to_env_name(key): value for key, value in configs.items()}
