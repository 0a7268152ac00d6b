"""Signed session cookies: ``<org>.<expires>.<signature>``, HMAC-SHA256 with a secret.

The secret lives in the data directory (``$KCR_DATA_DIR/dashboard-secret``, created with mode
0600 on first use), so sessions survive a restart and a new secret signs everyone out. A
token names its organisation and its expiry (Unix seconds); :meth:`SessionSigner.verify`
checks the signature in constant time and the expiry against the time it is given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SESSION_COOKIE", "SessionSigner", "load_secret"]

SESSION_COOKIE = "kcr_session"
"""Name of the session cookie."""

_SECRET_BYTES = 32


def load_secret(path: Path) -> bytes:
    """Return the secret in ``path``, writing a new random one (mode 0600) if there is none."""
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return bytes.fromhex(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(_SECRET_BYTES)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(secret.hex() + "\n", encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)
    return secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SessionSigner:
    """Signs and verifies session tokens with ``secret``; sessions last ``lifetime_s``."""

    secret: bytes
    lifetime_s: int = 12 * 3600

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self.secret, payload.encode(), hashlib.sha256).digest())

    def sign(self, org: str, now: float) -> str:
        """A token for ``org`` that expires ``lifetime_s`` after ``now`` (Unix seconds)."""
        payload = f"{org}.{int(now) + self.lifetime_s}"
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str, now: float) -> str | None:
        """The organisation of ``token``, or None if it is forged, malformed or expired."""
        parts = token.rsplit(".", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        org, expires, signature = parts
        expected = self._signature(f"{org}.{expires}")
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return None
        return org if int(expires) > now else None
