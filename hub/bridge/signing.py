"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>.<body>"``, and how a receiver checks one.

Every webhook POST carries ``X-KCR-Timestamp`` (Unix seconds) and
``X-KCR-Signature: sha256=<hex>``. A receiver verifies it with the organisation's secret::

    from hub.bridge.signing import verify_signature

    ok = verify_signature(
        secret, request.headers["X-KCR-Timestamp"], body, request.headers["X-KCR-Signature"]
    )

The timestamp is part of the signed text, and :func:`verify_signature` refuses timestamps older
(or newer) than ``tolerance_s`` (default 5 minutes), so a captured request cannot be replayed
later. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "signed_headers", "verify_signature"]

SIGNATURE_HEADER = "X-KCR-Signature"
TIMESTAMP_HEADER = "X-KCR-Timestamp"
_SCHEME = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return ``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` with ``secret``."""
    message = timestamp.encode() + b"." + body
    return _SCHEME + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """Return the timestamp and signature headers for POSTing ``body`` at ``now``."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_s: float = 300,
    now: float | None = None,
) -> bool:
    """True if ``signature`` signs ``timestamp`` + ``body`` with ``secret``, recently enough."""
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
