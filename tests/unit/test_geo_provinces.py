"""The province table: names in Dutch and English, and checked against the region boundaries."""

from __future__ import annotations

import pytest

from hub.contracts.geo import GeoPoint
from hub.geo import load_boundaries, province_named, province_regions
from hub.geo.provinces import load_provinces

CAPITALS = {
    "Groningen": (53.219, 6.567),
    "Fryslân": (53.201, 5.799),
    "Drenthe": (52.993, 6.564),
    "Overijssel": (52.512, 6.094),
    "Flevoland": (52.518, 5.471),
    "Gelderland": (51.985, 5.899),
    "Utrecht": (52.091, 5.122),
    "Noord-Holland": (52.387, 4.646),
    "Zuid-Holland": (52.078, 4.288),
    "Zeeland": (51.499, 3.611),
    "Noord-Brabant": (51.690, 5.304),
    "Limburg": (50.851, 5.690),
}
"""Each province's capital (Haarlem, Den Haag, 's-Hertogenbosch, ...)."""


def _provinces() -> dict[str, tuple[str, ...]]:
    return {p.name: p.regions for p in load_provinces().values()}


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Noord-Holland", ("vr10", "vr11", "vr12", "vr13", "vr14")),
        ("Provincie Zuid-Holland", ("vr15", "vr16", "vr17", "vr18")),
        ("South Holland", ("vr15", "vr16", "vr17", "vr18")),
        ("Province of North Brabant", ("vr20", "vr21", "vr22")),
        ("GELDERLAND", ("vr06", "vr07", "vr08")),
        ("Limburg", ("vr23", "vr24")),
        ("Friesland", ("vr02",)),
        ("Fryslan", ("vr02",)),
        ("Overijssel province", ("vr04", "vr05")),
        ("  provincie   Utrecht ", ("vr09",)),
    ],
)
def test_province_names_map_to_their_regions(text: str, regions: tuple[str, ...]) -> None:
    """Dutch and English names, with or without 'Provincie', name the province's regions."""
    assert province_regions(text) == regions


def test_other_names_are_no_province() -> None:
    """A region name that is no province, a town or a foreign state gives nothing."""
    assert province_regions("Twente") == ()
    assert province_regions("Nordrhein-Westfalen") == ()
    assert province_named("Antwerpen") is None


def test_the_table_partitions_the_25_regions() -> None:
    """Twelve provinces; every region lies in exactly one of them."""
    table = _provinces()
    assert len(table) == 12
    regions = [r for rs in table.values() for r in rs]
    assert sorted(regions) == [f"vr{n:02d}" for n in range(1, 26)]


def test_each_province_holds_its_capital() -> None:
    """The capital of each province lies, by the boundaries, in one of that province's regions."""
    boundaries = load_boundaries()
    for name, regions in _provinces().items():
        lat, lon = CAPITALS[name]
        assert boundaries.region_at(GeoPoint(lat=lat, lon=lon)) in regions, name


def test_each_province_is_contiguous() -> None:
    """A province's regions form one connected group by the boundaries' adjacency."""
    boundaries = load_boundaries()
    for name, regions in _provinces().items():
        reached, todo = {regions[0]}, [regions[0]]
        while todo:
            for other in boundaries.adjacent(todo.pop()):
                if other in regions and other not in reached:
                    reached.add(other)
                    todo.append(other)
        assert reached == set(regions), name
