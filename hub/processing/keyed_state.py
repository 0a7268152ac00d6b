"""The processors' state as many small keyed entries instead of one growing record.

A snapshot (a JSON-able tree of dicts and lists) is cut into entries: a dict whose JSON would
pass :data:`ENTRY_LIMIT` is stored as one entry per member, recursively, and so is a long list
(in chunks of :data:`LIST_CHUNK` items, so appending changes only the last chunk). The entry
key is the JSON list of the path to it (dict keys of the form NUL + digits are reserved for
list chunks). :class:`KeyedWriter` remembers a digest of every entry
it wrote and returns only what changed since (and the keys to delete), so a save writes what
the projection touched, not the whole state. :func:`from_entries` puts the tree together again.

No entry grows with history: incidents, views and signals are entries of their own, each
bounded by the contracts' field limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hub.domain._common import FrozenCollection, FrozenJson

__all__ = [
    "ENTRY_LIMIT",
    "LIST_CHUNK",
    "KeyedWriter",
    "StateChanges",
    "from_entries",
    "to_entries",
]

ENTRY_LIMIT = 16 * 1024
"""A dict or list whose JSON is longer than this is stored member by member."""
LIST_CHUNK = 64
"""Items per entry of a list that is stored in parts."""
_SPLIT_LEVELS = 2  # the top levels are always split: the header stays apart from the bulk
_CHUNK = "\x00"  # path component of a list chunk: "\x00<index of its first item>"

Entries = dict[str, bytes]


class _Encoded:
    """The bytes of the :class:`~hub.domain._common.FrozenJson` objects of the last cut."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[FrozenJson, bytes]] = {}
        self.now: dict[int, tuple[FrozenJson, bytes]] = {}
        self.whole_before: set[str] = set()  # paths of the dicts stored whole at the last cut
        self.whole: set[str] = set()  # and at this one

    def dump(self, value: Any) -> bytes:
        if not isinstance(value, FrozenJson):
            return _dump(value)
        known = self.last.get(id(value))
        if known is None or known[0] is not value:
            known = (value, _dump(value))
        self.now[id(value)] = known  # the object is held, so its id is not reused meanwhile
        return known[1]

    def next_cut(self) -> None:
        self.last, self.now = self.now, {}
        self.whole_before, self.whole = self.whole, set()


Collections = dict[str, dict[str, FrozenJson]]
"""Large dicts of :class:`FrozenJson` items by the key prefix of their members' entries."""


def to_entries(tree: Mapping[str, Any], encoded: _Encoded | None = None) -> Entries:
    """Cut ``tree`` into entries: path key → compact JSON bytes of the value there."""
    return _entries(tree, encoded or _Encoded(), None)


def _entries(
    tree: Mapping[str, Any], encoded: _Encoded, collections: Collections | None
) -> Entries:
    """Cut ``tree``; with ``collections``, the large dicts of frozen items are put there."""
    out: Entries = {}
    leaf = _cut("[", tree, out, _SPLIT_LEVELS, encoded, collections)
    if leaf is not None:
        out["[]"] = leaf
    encoded.next_cut()
    return out


def _is_collection(value: Any) -> bool:
    """Whether ``value`` is a dict of many :class:`FrozenJson` items (one entry each).

    A :class:`FrozenCollection` says so by its type (no look at every item at every save).
    """
    if type(value) is FrozenCollection:
        return len(value) > LIST_CHUNK
    return (
        isinstance(value, dict)
        and len(value) > LIST_CHUNK
        and all(type(item) is FrozenJson for item in value.values())
    )


def _cut(
    prefix: str,
    value: Any,
    out: Entries,
    force: int,
    encoded: _Encoded,
    collections: Collections | None = None,
) -> bytes | None:
    """Return ``value``'s JSON if it is stored whole, else store its parts in ``out``.

    ``prefix`` is the entry key of ``value``'s path without its closing bracket (``["a",``).
    A collection (see :func:`_is_collection`) goes to ``collections``, when given, instead.
    """
    if isinstance(value, FrozenJson):
        return encoded.dump(value)
    if collections is not None and _is_collection(value):
        collections[prefix] = value
        return None
    if force <= 0 and prefix in encoded.whole_before and type(value) is dict and _plain(value):
        raw = _dump(value)  # stored whole last time: one dump, not one per member and a join
        if len(raw) <= ENTRY_LIMIT:
            encoded.whole.add(prefix)
            return raw
    if isinstance(value, dict) and value:
        members = {_name(str(k)): v for k, v in value.items()}
    elif isinstance(value, list) and len(value) > LIST_CHUNK:
        members = {
            _name(f"{_CHUNK}{start}"): value[start : start + LIST_CHUNK]
            for start in range(0, len(value), LIST_CHUNK)
        }
        force = 0
    else:
        return _dump(value)
    parts = {
        name: _cut(f"{prefix}{name},", v, out, force - 1, encoded, collections)
        for name, v in members.items()
    }
    if force <= 0 and all(part is not None for part in parts.values()):
        size = sum(len(name) + len(part or b"") + 2 for name, part in parts.items())
        if size <= ENTRY_LIMIT:
            encoded.whole.add(prefix)
            return _join(value, parts)
    for name, part in parts.items():
        if part is not None:
            out[f"{prefix}{name}]"] = part
    return None


def _plain(value: dict[Any, Any]) -> bool:
    """Whether no member of ``value`` is a frozen item or a collection (kept apart by identity).

    Such a dict, stored whole at the last cut, is dumped whole first: the bytes are those
    joining its members' dumps would give, for one C-encoded dump instead of one per member.
    """
    return not any(type(member) in _FROZEN for member in value.values())


_FROZEN = (FrozenJson, FrozenCollection)

_NAMES: dict[str, str] = {}


def _name(key: str) -> str:
    """``key`` as a JSON string (remembered: the same keys come at every save)."""
    name = _NAMES.get(key)
    if name is None:
        if len(_NAMES) > 1_000_000:  # keys of items long gone: start again
            _NAMES.clear()
        name = _NAMES[key] = json.dumps(key)
    return name


def _join(value: Any, parts: Mapping[str, bytes | None]) -> bytes:
    """The JSON of ``value`` from the JSON of its members (keyed by their JSON names)."""
    if isinstance(value, list):
        items = [json.loads(part or b"[]") for part in parts.values()]
        return _dump([item for chunk in items for item in chunk])
    body = b",".join(name.encode() + b":" + (part or b"null") for name, part in parts.items())
    return b"{" + body + b"}"


def from_entries(entries: Iterable[tuple[str, bytes]]) -> dict[str, Any]:
    """Put the tree of :func:`to_entries` together again (entries in any order)."""
    root: dict[str, Any] = {}
    for key, raw in entries:
        path = json.loads(key)
        if not isinstance(path, list):
            raise ValueError(f"{key!r} is not a keyed-state entry")
        value = json.loads(raw)
        if not path:
            return dict(value)
        node = root
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = value
    return _lists(root)  # type: ignore[no-any-return]


def _lists(node: Any) -> Any:
    """Turn the chunk dicts of lists stored in parts back into lists."""
    if not isinstance(node, dict):
        return node
    if node and all(name.startswith(_CHUNK) and name[1:].isdigit() for name in node):
        starts = sorted(node, key=lambda name: int(name[1:]))
        return [item for name in starts for item in _lists(node[name])]
    return {name: _lists(value) for name, value in node.items()}


_Member = tuple[FrozenJson | None, bytes]  # the object last written (None: restored), its bytes
_MemberUpdate = tuple[str, str | None, _Member | None]  # prefix, member (None: all), new value


class _Looked(NamedTuple):
    """The members of a collection one :meth:`KeyedWriter.changes` call looked at."""

    call: int  # the writer's count of calls
    names: set[str] | None  # None: every member (a full walk)
    source: object  # the collection's maker and its serial (a full walk of a FrozenCollection)
    serial: int | None


@dataclass
class StateChanges:
    """What a save writes: changed entries, and keys of entries that no longer exist."""

    written: Entries = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    members: list[_MemberUpdate] = field(default_factory=list)
    """How the writer's record of collection members changes once this is saved."""
    looked: dict[str, _Looked] = field(default_factory=dict)
    """Per collection prefix, what the writer looked at, so :meth:`KeyedWriter.saved` can tell
    which members it need not look at again."""

    def __bool__(self) -> bool:
        """Whether there is anything to write."""
        return bool(self.written or self.deleted)


class KeyedWriter:
    """Remembers what was written; returns what a new tree changes.

    The members of large collections of frozen items (incidents, views) are told apart by the
    identity of their :class:`FrozenJson`: an unchanged item costs a dict lookup, not an
    encoding and a comparison. A :class:`FrozenCollection` that follows the one seen at the
    previous call says which members it touched since: then only those (and those touched
    before but not yet saved) are looked at, so a save costs what changed, not the whole state.
    """

    def __init__(self, written: Iterable[tuple[str, bytes]] = ()) -> None:
        """Start from the entries already stored (after a restore), or none."""
        self._stored = dict(written)  # bytes compare faster than they hash; identical ones share
        self._members: dict[str, dict[str, _Member]] = {}  # collection prefix → member → stored
        self._encoded = _Encoded()
        self._calls = 0
        self._seen: dict[str, tuple[object, int]] = {}  # prefix → (source, serial) last seen
        self._unsaved: dict[str, set[str]] = {}  # prefix → members touched, not yet saved

    def changes(self, tree: Mapping[str, Any]) -> StateChanges:
        """Return the entries of ``tree`` that differ from those written, and the stale keys."""
        collections: Collections = {}
        entries = _entries(tree, self._encoded, collections)
        for prefix, items in collections.items():
            if prefix not in self._members:
                self._members[prefix] = self._adopted(prefix, items)
        stored = self._stored
        written = {
            k: v for k, v in entries.items() if stored.get(k) is not v and stored.get(k) != v
        }
        deleted = set(stored.keys() - entries.keys())
        updates: list[_MemberUpdate] = []
        self._calls += 1
        looked: dict[str, _Looked] = {}
        for prefix, items in collections.items():
            known = self._members[prefix]
            names = self._to_look_at(prefix, items)
            if type(items) is FrozenCollection:
                looked[prefix] = _Looked(self._calls, names, items.source, items.serial)
            for name in items if names is None else names:
                item = items.get(name)
                member = known.get(name)
                if item is None:
                    if member is not None:
                        deleted.add(f"{prefix}{_name(name)}]")
                        updates.append((prefix, name, None))
                    continue
                if member is not None and member[0] is item:
                    continue
                raw = _dump(item)
                if member is None or member[1] != raw:
                    written[f"{prefix}{_name(name)}]"] = raw
                updates.append((prefix, name, (item, raw)))
            if names is None:
                for name in known.keys() - items.keys():
                    deleted.add(f"{prefix}{_name(name)}]")
                    updates.append((prefix, name, None))
        for prefix in self._members.keys() - collections.keys():  # gone, or stored otherwise
            deleted.update(f"{prefix}{_name(name)}]" for name in self._members[prefix])
            updates.append((prefix, None, None))
            self._seen.pop(prefix, None)
            self._unsaved.pop(prefix, None)
        deleted -= entries.keys()
        return StateChanges(written, sorted(deleted), updates, looked)

    def _to_look_at(self, prefix: str, items: Mapping[str, FrozenJson]) -> set[str] | None:
        """The members of a collection that may differ from what was saved; None: all of them.

        Exact when ``items`` is the :class:`FrozenCollection` that follows the one seen at
        the previous call: its touched members plus those touched earlier and not yet saved.
        A full walk counts as seen only once it is saved (:meth:`saved`): until then every
        call walks again, so nothing it found is left out if its save fails.
        """
        seen = self._seen.pop(prefix, None)
        if type(items) is not FrozenCollection:
            return None
        if seen is None or seen[0] is not items.source or seen[1] != items.serial - 1:
            return None
        self._seen[prefix] = (items.source, items.serial)
        unsaved = self._unsaved.setdefault(prefix, set())
        unsaved.update(items.touched)
        return set(unsaved)

    def _adopted(self, prefix: str, items: Mapping[str, FrozenJson]) -> dict[str, _Member]:
        """Take the stored entries of a collection's members out of the generic record."""
        adopted: dict[str, _Member] = {}
        for name in items:
            raw = self._stored.pop(f"{prefix}{_name(name)}]", None)
            if raw is not None:
                adopted[name] = (None, raw)
        return adopted

    def saved(self, changes: StateChanges) -> None:
        """Note that ``changes`` are durably stored."""
        for prefix, looked in changes.looked.items():
            if looked.call != self._calls:  # an earlier look: a later one covers more
                continue
            if looked.names is None:  # a full walk, now saved: follow the collection from here
                self._seen[prefix] = (looked.source, looked.serial or 0)
                self._unsaved[prefix] = set()
            else:
                self._unsaved.get(prefix, set()).difference_update(looked.names)
        members = self._members
        for prefix, name, member in changes.members:
            if name is None:
                members.pop(prefix, None)
            elif member is None:
                members.get(prefix, {}).pop(name, None)
            else:
                members.setdefault(prefix, {})[name] = member
        written = changes.written
        self._stored.update((k, v) for k, v in written.items() if not _in_collection(k, members))
        for key in changes.deleted:
            self._stored.pop(key, None)


def _in_collection(key: str, members: Mapping[str, Any]) -> bool:
    """Whether entry ``key`` is a member of one of the collections (by its prefix)."""
    cut = key.rfind(",")
    return cut >= 0 and key[: cut + 1] in members


def _dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
