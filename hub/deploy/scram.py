"""Create or update every user's SCRAM-SHA-512 credential on a running cluster (Admin API).

The Compose cluster boots with static PLAIN logins only (``admin`` on the brokers' internal
listener, ``controller`` on the controller listener); this puts the SCRAM users of
``credentials.json`` in place, idempotently (an upsertion with the same password is harmless).
"""

from __future__ import annotations

from collections.abc import Mapping

from hub.kafka.admin import (
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
    admin_client,
)
from hub.security.credentials import Credentials

__all__ = ["upsert_scram_users"]

_ITERATIONS = 8192
_TIMEOUT = 30.0


def upsert_scram_users(
    bootstrap: str, client_config: Mapping[str, str], credentials: Credentials
) -> list[str]:
    """Set the SCRAM-SHA-512 password of every user in ``credentials``; return their names."""
    admin = admin_client(bootstrap, client_config)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, _ITERATIONS)
    upserts: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(user, info, password.encode())
        for user, password in sorted(credentials.users.items())
    ]
    for future in admin.alter_user_scram_credentials(upserts, request_timeout=_TIMEOUT).values():
        future.result()
    return [u.user for u in upserts]
