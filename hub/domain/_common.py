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


class FrozenJson(dict[str, Any]):
    """A JSON object that its maker never changes once made (a snapshot of one item).

    Snapshots hand out the same object while the item is unchanged, so whoever stores them may
    keep what it derived from one (its encoded bytes) by the object's identity.
    """

    __slots__ = ()


class FrozenSnapshots:
    """The :class:`FrozenJson` of each item of a book, made again only for items touched since.

    The book calls :meth:`touch` whenever an item changes (or leaves) and :meth:`all` when it
    is snapshotted; an untouched item keeps the very object it had, so a save can tell it apart.
    """

    def __init__(self) -> None:
        self._made: dict[str, FrozenJson] = {}
        self._touched: set[str] = set()

    def touch(self, *keys: str) -> None:
        """Note that the items ``keys`` changed or left."""
        self._touched.update(keys)

    def all(self, make: Callable[[str], FrozenJson | None]) -> dict[str, FrozenJson]:
        """Return every item's JSON; ``make`` gives a touched item's anew (None: it left)."""
        for key in self._touched:
            made = make(key)
            if made is None:
                self._made.pop(key, None)
            else:
                self._made[key] = made
        self._touched.clear()
        return dict(self._made)


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
    """

    def __init__(self, capacity: int, ids: Iterable[tuple[str, str]] = ()) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._ids: dict[tuple[str, str], None] = {}
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
        self._ids[key] = None
        if len(self._ids) > self.capacity:
            del self._ids[next(iter(self._ids))]

    def to_snapshot(self) -> dict[str, Any]:
        """Return the window as a JSON-able dict, oldest first."""
        return {"capacity": self.capacity, "ids": [list(key) for key in self._ids]}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> RecentIds:
        """Rebuild a window from :meth:`to_snapshot`'s dict."""
        return cls(int(data["capacity"]), ((str(s), str(i)) for s, i in data["ids"]))
