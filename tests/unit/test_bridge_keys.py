"""Bridge API keys: issued once, stored as salted scrypt hashes, checked in constant time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.bridge.keys import ApiKeyStore, hash_key
from hub.errors import ConfigurationError

NOW = "2026-11-27T06:00:00+00:00"


def test_a_new_key_names_its_organisation(tmp_path: Path) -> None:
    """The issued key verifies as its organisation, also after reloading the file."""
    path = tmp_path / "keys.json"
    key = ApiKeyStore(path).add("vr07", NOW)
    assert ApiKeyStore(path).organisation_of(key) == "vr07"


def test_only_the_hash_is_stored(tmp_path: Path) -> None:
    """The file holds neither the key nor its secret part, only a salt and a hash."""
    path = tmp_path / "keys.json"
    key = ApiKeyStore(path).add("vr07", NOW)
    text = path.read_text(encoding="utf-8")
    assert key not in text
    assert key.split("_", 2)[2] not in text
    [entry] = json.loads(text)["keys"].values()
    assert entry["hash"] == hash_key(key, bytes.fromhex(entry["salt"]))
    assert path.stat().st_mode & 0o077 == 0


def test_wrong_and_tampered_keys_are_refused(tmp_path: Path) -> None:
    """A changed secret, an unknown key id and rubbish give no organisation."""
    store = ApiKeyStore(tmp_path / "keys.json")
    key = store.add("vr07", NOW)
    assert store.organisation_of(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert store.organisation_of("kcr_000000000000_" + key.split("_", 2)[2]) is None
    assert store.organisation_of("not a key") is None
    assert store.organisation_of("") is None


def test_two_keys_get_different_salts(tmp_path: Path) -> None:
    """Keys of one organisation are independent; both verify."""
    store = ApiKeyStore(tmp_path / "keys.json")
    first, second = store.add("vr08", NOW), store.add("vr08", NOW)
    salts = {entry.salt for entry in store._entries.values()}
    assert len(salts) == 2
    assert store.organisation_of(first) == store.organisation_of(second) == "vr08"
    assert store.organisations() == {"vr08": 2}


def test_a_broken_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    """A file that is not a key file is reported with its path and a fix."""
    path = tmp_path / "keys.json"
    path.write_text('{"nothing": 1}', encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        ApiKeyStore(path)
    assert caught.value.field == str(path)


def test_a_running_store_sees_keys_added_and_removed(tmp_path: Path) -> None:
    """A key added by another process (the CLI) works at once; deleting it revokes it."""
    path = tmp_path / "keys.json"
    running = ApiKeyStore(path)
    key = ApiKeyStore(path).add("vr07", NOW)
    assert running.organisation_of(key) == "vr07"
    path.write_text('{"keys": {}}', encoding="utf-8")
    assert running.organisation_of(key) is None
