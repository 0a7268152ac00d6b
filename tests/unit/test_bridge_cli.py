"""``kcr bridge keys add ORG``: the key is printed once, only its hash is stored."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hub.bridge.cli import bridge_app
from hub.bridge.keys import ApiKeyStore


def test_keys_add_prints_a_key_that_verifies(tmp_path: Path) -> None:
    """The printed key verifies as vr07; the key file does not contain it."""
    keys_file = tmp_path / "bridge-keys.json"
    result = CliRunner().invoke(
        bridge_app, ["keys", "add", "vr07"], env={"KCR_BRIDGE_KEYS_FILE": str(keys_file)}
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert ApiKeyStore(keys_file).organisation_of(key) == "vr07"
    assert key not in keys_file.read_text(encoding="utf-8")
    listed = CliRunner().invoke(
        bridge_app, ["keys", "list"], env={"KCR_BRIDGE_KEYS_FILE": str(keys_file)}
    )
    assert listed.output.strip() == "vr07: 1 key(s)"


def test_keys_add_refuses_an_unknown_organisation(tmp_path: Path) -> None:
    """An organisation outside the registry gets no key."""
    keys_file = tmp_path / "bridge-keys.json"
    result = CliRunner().invoke(
        bridge_app, ["keys", "add", "vr99"], env={"KCR_BRIDGE_KEYS_FILE": str(keys_file)}
    )
    assert result.exit_code != 0
    assert not keys_file.exists()
