"""Webhook signatures: HMAC-SHA256 of "<timestamp>.<body>", verified in constant time."""

from __future__ import annotations

import hashlib
import hmac

from hub.bridge.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    signed_headers,
    verify_signature,
)

SECRET = "s3cret-of-vr07-control-room"
BODY = b'{"id":"e1","type":"nl.kcr.coordination.requested"}'


def test_the_signature_is_the_documented_hmac() -> None:
    """sha256=<hex> of HMAC-SHA256(secret, "<timestamp>.<body>")."""
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1700000000", BODY) == f"sha256={expected}"


def test_signed_headers_verify() -> None:
    """The headers a delivery sends verify with the same secret."""
    headers = signed_headers(SECRET, BODY, now=1_700_000_000)
    assert headers[TIMESTAMP_HEADER] == "1700000000"
    assert verify_signature(
        SECRET, headers[TIMESTAMP_HEADER], BODY, headers[SIGNATURE_HEADER], now=1_700_000_010
    )


def test_a_changed_body_secret_or_timestamp_fails() -> None:
    """Any change to what was signed makes the signature invalid."""
    signature = sign(SECRET, "1700000000", BODY)
    now = 1_700_000_000
    assert not verify_signature(SECRET, "1700000000", BODY + b" ", signature, now=now)
    assert not verify_signature("another secret", "1700000000", BODY, signature, now=now)
    assert not verify_signature(SECRET, "1700000001", BODY, signature, now=now)
    assert not verify_signature(SECRET, "soon", BODY, signature, now=now)


def test_old_timestamps_are_refused() -> None:
    """A correct signature older than the tolerance is a replay."""
    signature = sign(SECRET, "1700000000", BODY)
    assert not verify_signature(SECRET, "1700000000", BODY, signature, now=1_700_000_301)
    assert verify_signature(
        SECRET, "1700000000", BODY, signature, now=1_700_000_301, tolerance_s=600
    )
