"""Kafka client options derived from the settings: plaintext, or SASL with a user's password.

Who logs in, in order: the service's own user from ``KCR_CREDENTIALS_FILE`` when a service name
is given (``kcr run`` gives each service its own); else ``KCR_SASL_USERNAME`` with
``KCR_SASL_PASSWORD``; else, with a credentials file, ``admin`` (operator commands on a local
secure broker); else nobody (PLAINTEXT).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.security.credentials import ADMIN, read_credentials
from hub.settings import Settings

__all__ = ["client_options", "confluent_options", "librdkafka_options", "sasl_login"]

_AIOKAFKA_KEYS = {
    "security_protocol": "security.protocol",
    "sasl_mechanism": "sasl.mechanisms",
    "sasl_plain_username": "sasl.username",
    "sasl_plain_password": "sasl.password",
}


def sasl_login(settings: Settings, service: str | None = None) -> tuple[str, str] | None:
    """Return the (user, password) this process's clients log in with, or None (no SASL)."""
    if settings.credentials_file is not None and service is not None:
        credentials = read_credentials(settings.credentials_file)
        return service, credentials.password(service, settings.credentials_file)
    if settings.sasl_username is not None:
        password = settings.sasl_password.get_secret_value() if settings.sasl_password else ""
        return settings.sasl_username, password
    if settings.credentials_file is not None:
        credentials = read_credentials(settings.credentials_file)
        return ADMIN, credentials.password(ADMIN, settings.credentials_file)
    return None


def _protocol(settings: Settings, login: tuple[str, str] | None) -> str:
    if settings.security_protocol is not None:
        return settings.security_protocol
    return "SASL_PLAINTEXT" if login is not None else "PLAINTEXT"


def client_options(settings: Settings, service: str | None = None) -> dict[str, Any]:
    """Return the keyword options every aiokafka client of this process (or ``service``) needs."""
    login = sasl_login(settings, service)
    protocol = _protocol(settings, login)
    if login is None:
        return {} if protocol == "PLAINTEXT" else {"security_protocol": protocol}
    options: dict[str, Any] = {
        "security_protocol": protocol,
        "sasl_mechanism": settings.sasl_mechanism,
        "sasl_plain_username": login[0],
        "sasl_plain_password": login[1],
    }
    if protocol == "SASL_SSL":
        from aiokafka.helpers import create_ssl_context

        options["ssl_context"] = create_ssl_context()
    return options


def confluent_options(settings: Settings, service: str | None = None) -> dict[str, str]:
    """The same login as :func:`client_options`, in confluent-kafka (librdkafka) keys."""
    login = sasl_login(settings, service)
    protocol = _protocol(settings, login)
    options = {"security.protocol": protocol}
    if login is not None:
        options |= {
            "sasl.mechanisms": settings.sasl_mechanism,
            "sasl.username": login[0],
            "sasl.password": login[1],
        }
    return options


def librdkafka_options(options: Mapping[str, Any]) -> dict[str, str]:
    """Return client ``options`` in librdkafka keys, whichever of the two forms they come in.

    Keys of librdkafka (``sasl.username``) pass as they are; the login keywords of
    :func:`client_options` (``sasl_plain_username``) are renamed. An ``ssl_context`` is left
    out: librdkafka verifies brokers against the system's CA store itself.
    """
    renamed = {_AIOKAFKA_KEYS.get(key, key): value for key, value in options.items()}
    return {key: str(value) for key, value in renamed.items() if "." in key}
