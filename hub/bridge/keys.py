"""API keys of the organisations that use the bridge: issued once, stored only as salted hashes.

A key reads ``kcr_<key id>_<secret>``. The key file (JSON, ``$KCR_DATA_DIR/bridge-keys.json``
unless ``KCR_BRIDGE_KEYS_FILE`` says otherwise) maps each key id to its organisation, a random
salt and the scrypt hash of the whole key; the key itself is printed once by
``kcr bridge keys add ORG`` and never stored. Verification looks the entry up by key id, hashes
the presented key with the stored salt and compares in constant time (:func:`hmac.compare_digest`).
A running bridge rereads the file when it changes: new keys work at once, deleted ones stop.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from hub.errors import ConfigurationError

__all__ = ["ApiKeyStore", "KeyEntry", "hash_key", "new_key"]

_PREFIX = "kcr"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One stored key: whose it is, its salt and its scrypt hash (both hex)."""

    org: str
    salt: str
    hash: str
    created_at: str


def hash_key(key: str, salt: bytes) -> str:
    """Return the hex scrypt hash of ``key`` with ``salt`` (n=2^14, r=8, p=1)."""
    return hashlib.scrypt(key.encode(), salt=salt, maxmem=64 * 2**20, **_SCRYPT).hex()


def new_key() -> tuple[str, str]:
    """Return a new ``(key id, key)``; the key carries the id so lookups need one hash."""
    key_id = secrets.token_hex(6)
    return key_id, f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def _key_id(key: str) -> str | None:
    parts = key.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == _PREFIX else None


class ApiKeyStore:
    """The key file: :meth:`add` issues a key, :meth:`organisation_of` checks one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp = self._file_stamp()
        self._entries = self._load()
        self._verified: dict[str, str] = {}  # sha256 of a verified key -> its organisation

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _refresh(self) -> None:
        """Reread the file if it changed (a key added or removed while the bridge runs)."""
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self._entries = self._load()
            self._verified.clear()

    def _load(self) -> dict[str, KeyEntry]:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {key_id: KeyEntry(**entry) for key_id, entry in raw["keys"].items()}
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigurationError(
                str(self.path), f"is not a bridge key file: {error}", fix="restore or delete it."
            ) from error

    def add(self, org: str, created_at: str) -> str:
        """Issue a key for ``org``, store its hash, and return the key (shown only now)."""
        key_id, key = new_key()
        salt = secrets.token_bytes(16)
        self._entries[key_id] = KeyEntry(org, salt.hex(), hash_key(key, salt), created_at)
        self._save()
        return key

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"keys": {key_id: asdict(entry) for key_id, entry in self._entries.items()}}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        os.chmod(temporary, 0o600)
        temporary.replace(self.path)
        self._stamp = self._file_stamp()

    def organisations(self) -> dict[str, int]:
        """Return each organisation with the number of keys it has."""
        counts: dict[str, int] = {}
        for entry in self._entries.values():
            counts[entry.org] = counts.get(entry.org, 0) + 1
        return counts

    def organisation_of(self, key: str) -> str | None:
        """Return the organisation ``key`` belongs to, or None for an unknown or wrong key.

        The file is reread when it changed, so keys added or deleted take effect at once.
        """
        self._refresh()
        digest = hashlib.sha256(key.encode()).hexdigest()
        if digest in self._verified:
            return self._verified[digest]
        key_id = _key_id(key)
        entry = self._entries.get(key_id) if key_id else None
        if entry is None:
            return None
        presented = hash_key(key, bytes.fromhex(entry.salt))
        if not hmac.compare_digest(presented, entry.hash):
            return None
        self._verified[digest] = entry.org
        return entry.org
