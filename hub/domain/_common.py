"""Small pure helpers shared by the projections: JSON times, event ids, packaged TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.fields import to_utc
from hub.contracts.organisations import load_registry
from hub.errors import ConfigurationError

__all__ = [
    "FrozenCollection",
    "FrozenJson",
    "FrozenSnapshots",
    "RecentIds",
    "clip",
    "dt_from_json",
    "dt_to_json",
    "hub_time",
    "opt_dt_from_json",
    "opt_dt_to_json",
    "org_name",
    "packaged_text",
    "parse_toml_model",
]

_M = TypeVar("_M", bound=BaseModel)

RECENT_BUCKET = 64
"""Ids per snapshot bucket of :class:`RecentIds`."""


class FrozenJson(dict[str, Any]):
    """A JSON object that its maker never changes once made (a snapshot of one item).

    Snapshots hand out the same object while the item is unchanged, so whoever stores them may
    keep what it derived from one (its encoded bytes) by the object's identity.
    """

    __slots__ = ()


class FrozenCollection(dict[str, FrozenJson]):
    """A snapshot of a book's items by key, saying which keys changed since the book's last one.

    ``source`` is the :class:`FrozenSnapshots` that made it and ``serial`` its count of
    snapshots: a reader that saw snapshot ``serial - 1`` of the same source knows that only
    the keys in ``touched`` can differ (changed, added or left). A save then costs what
    changed instead of a walk of every item (:class:`hub.processing.keyed_state.KeyedWriter`).
    """

    __slots__ = ("serial", "source", "touched")

    def __init__(
        self, items: dict[str, FrozenJson], source: object, serial: int, touched: frozenset[str]
    ) -> None:
        """Copy ``items``; note their maker, its snapshot count and the keys changed since."""
        super().__init__(items)
        self.source = source
        self.serial = serial
        self.touched = touched


class FrozenSnapshots:
    """The :class:`FrozenJson` of each item of a book, made again only for items touched since.

    The book calls :meth:`touch` whenever an item changes (or leaves) and :meth:`all` when it
    is snapshotted; an untouched item keeps the very object it had, so a save can tell it apart.
    """

    def __init__(self) -> None:
        self._made: dict[str, FrozenJson] = {}
        self._touched: set[str] = set()
        self._serial = 0

    def touch(self, *keys: str) -> None:
        """Note that the items ``keys`` changed or left."""
        self._touched.update(keys)

    def all(self, make: Callable[[str], FrozenJson | None]) -> FrozenCollection:
        """Return every item's JSON; ``make`` gives a touched item's anew (None: it left)."""
        touched = frozenset(self._touched)
        for key in touched:
            made = make(key)
            if made is None:
                self._made.pop(key, None)
            else:
                self._made[key] = made
        self._touched.clear()
        self._serial += 1
        return FrozenCollection(self._made, self, self._serial, touched)


def packaged_text(name: str) -> str:
    """Return the text of the packaged data file ``hub/domain/data/<name>``."""
    return resources.files("hub.domain").joinpath("data", name).read_text("utf-8")


def parse_toml_model(model: type[_M], text: str, source: str) -> _M:
    """Validate a TOML text into ``model``; a bad key raises ConfigurationError naming it."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(source, f"is not valid TOML: {exc}") from None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        keys = [".".join(str(part) for part in error["loc"]) or "(file)" for error in errors]
        problems = "; ".join(
            f"{key}: {error['msg']}" for key, error in zip(keys, errors, strict=True)
        )
        raise ConfigurationError(
            keys[0], f"bad value in {source}: {problems}", fix=f"correct {keys[0]} in {source}."
        ) from None


def clip(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters (ending in '…' when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def org_name(org_id: str) -> str:
    """Return the name of an organisation, e.g. 'Zeeland' for vr19 (the id if unknown)."""
    registry = load_registry()
    return registry.get(org_id).name if org_id in registry else org_id


def hub_time(event: EventEnvelope) -> datetime:
    """Return the hub's moment of ``event``: the gateway stamp if present, else its time."""
    return event.ingested_at or event.time


def dt_to_json(value: datetime) -> str:
    """Return ``value`` as an RFC 3339 string in UTC, for snapshots."""
    return to_utc(value).isoformat()


def dt_from_json(value: str) -> datetime:
    """Return the UTC datetime of an RFC 3339 string written by :func:`dt_to_json`."""
    return to_utc(datetime.fromisoformat(value))


def opt_dt_to_json(value: datetime | None) -> str | None:
    """Like :func:`dt_to_json`, passing None through."""
    return None if value is None else dt_to_json(value)


def opt_dt_from_json(value: str | None) -> datetime | None:
    """Like :func:`dt_from_json`, passing None through."""
    return None if value is None else dt_from_json(value)


class RecentIds:
    """The ids of the most recently applied events (``source`` and ``id``), oldest forgotten.

    Duplicates come from at-least-once redelivery of the recent tail of a partition, so a
    bounded window is enough to make order-sensitive projections idempotent.

    The window is snapshotted in buckets of :data:`RECENT_BUCKET` consecutive ids, each a
    :class:`FrozenJson` made again only when an id enters or leaves it: a save writes the
    newest and the oldest bucket, not the whole window (which shifts by one at every event).
    """

    def __init__(self, capacity: int, ids: Iterable[tuple[str, str]] = ()) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._ids: dict[tuple[str, str], int] = {}  # id → its number, oldest first
        self._buckets: dict[int, list[tuple[str, str]]] = {}  # number // bucket → ids
        self._next = 0  # the number of the next id remembered
        self._snapshots = FrozenSnapshots()
        for key in ids:
            self._remember(key)

    def __len__(self) -> int:
        """Return how many ids are remembered."""
        return len(self._ids)

    def first_time(self, event: EventEnvelope) -> bool:
        """Remember ``event``; return False if it was already remembered (a duplicate)."""
        key = (event.source, event.id)
        if key in self._ids:
            return False
        self._remember(key)
        return True

    def _remember(self, key: tuple[str, str]) -> None:
        number, self._next = self._next, self._next + 1
        self._ids[key] = number
        bucket = number // RECENT_BUCKET
        self._buckets.setdefault(bucket, []).append(key)
        self._snapshots.touch(str(bucket))
        if len(self._ids) > self.capacity:
            bucket = self._ids.pop(next(iter(self._ids))) // RECENT_BUCKET
            members = self._buckets[bucket]
            del members[0]  # the oldest id is the first of the oldest bucket
            if not members:
                del self._buckets[bucket]
            self._snapshots.touch(str(bucket))

    def to_snapshot(self) -> dict[str, Any]:
        """Return the window as a JSON-able dict: buckets of ids by number, oldest first."""

        def make(bucket: str) -> FrozenJson | None:
            members = self._buckets.get(int(bucket))
            return None if members is None else FrozenJson(ids=[list(key) for key in members])

        return {"capacity": self.capacity, "next": self._next, "buckets": self._snapshots.all(make)}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> RecentIds:
        """Rebuild a window from :meth:`to_snapshot`'s dict (or the older flat list of ids)."""
        if "ids" in data:  # written before the buckets: one flat list, oldest first
            return cls(int(data["capacity"]), ((str(s), str(i)) for s, i in data["ids"]))
        buckets = sorted(data["buckets"].items(), key=lambda item: int(item[0]))
        ids = [(str(s), str(i)) for _, bucket in buckets for s, i in bucket["ids"]]
        window = cls(int(data["capacity"]))
        window._next = int(data["next"]) - len(ids)  # the window's numbers are consecutive
        for key in ids:
            window._remember(key)
        return window
