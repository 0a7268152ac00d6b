"""Session tokens of the dashboard: signed, expiring, bound to their secret."""

from __future__ import annotations

import stat
from pathlib import Path

from hub.dashboard.session import SessionSigner, load_secret

SECRET = b"s" * 32
NOW = 1_800_000_000.0


def test_a_signed_token_names_its_organisation() -> None:
    """A fresh token verifies to the organisation it was signed for."""
    signer = SessionSigner(SECRET)
    assert signer.verify(signer.sign("min-jenv", NOW), NOW + 10) == "min-jenv"


def test_a_changed_organisation_fails() -> None:
    """Replacing the organisation in a token breaks its signature."""
    signer = SessionSigner(SECRET)
    token = signer.sign("vr17", NOW)
    forged = "ncc" + token.removeprefix("vr17")
    assert signer.verify(forged, NOW) is None


def test_a_longer_expiry_fails() -> None:
    """Extending the expiry of a token breaks its signature."""
    signer = SessionSigner(SECRET, lifetime_s=60)
    org, expires, signature = signer.sign("vr17", NOW).split(".")
    assert signer.verify(f"{org}.{int(expires) + 3600}.{signature}", NOW) is None


def test_an_expired_token_fails() -> None:
    """A token is refused once its lifetime is over."""
    signer = SessionSigner(SECRET, lifetime_s=60)
    token = signer.sign("ncc", NOW)
    assert signer.verify(token, NOW + 59) == "ncc"
    assert signer.verify(token, NOW + 60) is None


def test_another_secret_fails() -> None:
    """A token signed with one secret does not verify with another."""
    token = SessionSigner(SECRET).sign("ncc", NOW)
    assert SessionSigner(b"t" * 32).verify(token, NOW) is None


def test_malformed_tokens_fail() -> None:
    """Garbage, empty and truncated tokens are refused, not raised."""
    signer = SessionSigner(SECRET)
    for token in ("", "ncc", "ncc.x.y", "ncc..", "a.b.c.d"):
        assert signer.verify(token, NOW) is None


def test_the_secret_is_created_once_and_private(tmp_path: Path) -> None:
    """The first load writes a 0600 secret; later loads return the same one."""
    path = tmp_path / "data" / "dashboard-secret"
    first = load_secret(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(path) == first
