"""The 12 provinces by name, and the safety regions each contains (``data/provinces.json``).

Weather warnings and many public alerts are issued per province, so a CAP ``areaDesc`` such as
``Noord-Holland``, ``Provincie Limburg`` or ``South Holland`` maps to the regions of that
province. Every safety region lies wholly in one province, so the table is a partition of the 25
regions; a test checks it against the boundaries (each province's regions are contiguous and
hold its capital).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

__all__ = ["Province", "load_provinces", "province_named", "province_regions"]

_PREFIXES = re.compile(r"^(provincie|province of|province|prov\.)\s+|\s+province$")


@dataclass(frozen=True, slots=True)
class Province:
    """A province: its official name, the names it goes by, and the regions it contains."""

    name: str
    names: tuple[str, ...]
    regions: tuple[str, ...]


def _key(text: str) -> str:
    """Return ``text`` folded for matching: lower case, no accents, no 'Provincie' prefix."""
    plain = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return _PREFIXES.sub("", re.sub(r"\s+", " ", plain)).strip()


@cache
def load_provinces() -> Mapping[str, Province]:
    """Return the provinces by every folded name they go by (read once, then cached)."""
    text = resources.files("hub.geo").joinpath("data", "provinces.json").read_text("utf-8")
    by_name: dict[str, Province] = {}
    for name, entry in json.loads(text)["provinces"].items():
        province = Province(name, tuple(entry["names"]), tuple(entry["regions"]))
        for alias in (name, *province.names):
            by_name[_key(alias)] = province
    return MappingProxyType(by_name)


def province_named(text: str) -> Province | None:
    """Return the province ``text`` names (``Provincie Noord-Holland``, ``Friesland``), if any."""
    return load_provinces().get(_key(text))


def province_regions(text: str) -> tuple[str, ...]:
    """Return the regions of the province ``text`` names, or ``()`` if it names none."""
    province = province_named(text)
    return province.regions if province else ()
