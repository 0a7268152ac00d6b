"""SCRAM users and the credentials file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hub.contracts.organisations import load_registry
from hub.security.credentials import (
    SERVICE_USERS,
    ensure_credentials,
    hub_users,
    read_credentials,
    scram_arguments,
)
from hub.security.errors import CredentialsError


def test_users_are_services_and_partner_organisations() -> None:
    """Every service, every organisation but the hub itself."""
    users = hub_users(load_registry())
    assert set(SERVICE_USERS) <= set(users)
    assert {"vr07", "ncc", "analysts"} <= set(users)
    assert "hub" not in users


def test_the_file_is_private_and_stable(tmp_path: Path) -> None:
    """Written 0600 once; a second call reads the same passwords."""
    path = tmp_path / "credentials.json"
    first, created = ensure_credentials(path, ["admin", "vr07"])
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second, created_again = ensure_credentials(path, ["admin", "vr07", "vr08"])
    assert not created_again
    assert second == read_credentials(path) == first


def test_scram_arguments_follow_storage_tool_syntax(tmp_path: Path) -> None:
    """One --add-scram 'SCRAM-SHA-512=[name=..,password=..]' per user."""
    credentials, _ = ensure_credentials(tmp_path / "c.json", ["vr07"])
    password = credentials.password("vr07")
    assert scram_arguments(credentials) == [
        "--add-scram", f"SCRAM-SHA-512=[name=vr07,password={password}]"
    ]  # fmt: skip


def test_a_missing_user_or_file_says_how_to_fix(tmp_path: Path) -> None:
    """Errors are CredentialsError with a fix."""
    with pytest.raises(CredentialsError, match="Fix:"):
        read_credentials(tmp_path / "absent.json")
    credentials, _ = ensure_credentials(tmp_path / "c.json", ["vr07"])
    with pytest.raises(CredentialsError, match="no user 'vr99'"):
        credentials.password("vr99")
