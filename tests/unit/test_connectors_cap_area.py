"""CAP areas to safety regions: geocodes, the country, real boundaries, provinces, names."""

from __future__ import annotations

import pytest

from connectors.cap.area import AreaMatch, match_areas, polygon_centroid
from connectors.cap.model import CapArea
from connectors.cap.tables import load_tables
from hub.contracts.geo import GeoPoint
from hub.contracts.organisations import load_registry

SQUARE = tuple(
    GeoPoint(lat=lat, lon=lon) for lat, lon in ((51, 3), (52, 3), (52, 5), (51, 5), (51, 3))
)

ABROAD = {
    "Aachen": (50.74, 6.03, 50.80, 6.13),
    "Kleve": (51.77, 6.10, 51.81, 6.17),
    "Borken": (51.82, 6.82, 51.86, 6.90),
    "Emden": (53.34, 7.17, 53.39, 7.24),
    "Antwerpen": (51.19, 4.36, 51.25, 4.44),
    "Gent": (51.02, 3.68, 51.08, 3.77),
}
"""Boxes (south, west, north, east) wholly inside German and Belgian towns near the border."""


def _box(south: float, west: float, north: float, east: float) -> tuple[GeoPoint, ...]:
    corners = ((south, west), (south, east), (north, east), (north, west), (south, west))
    return tuple(GeoPoint(lat=lat, lon=lon) for lat, lon in corners)


def _matched(*areas: CapArea) -> AreaMatch:
    return match_areas(list(areas), load_registry(), load_tables())


def _match(area: CapArea) -> tuple[str, ...]:
    """Return the regions ``area`` maps to with the packaged registry and tables."""
    return _matched(area).regions


def test_polygon_centroid_ignores_the_closing_point() -> None:
    """The centroid is the mean of the distinct vertices."""
    assert polygon_centroid(SQUARE) == GeoPoint(lat=51.5, lon=4.0)


def test_geocodes_win_over_geometry() -> None:
    """A geocode naming a region decides, whatever the geometry says."""
    area = CapArea(
        description="Kruiningen",
        circles=((GeoPoint(lat=52.37, lon=4.9), 0.0),),
        geocodes=(("nl.kcr.region", "vr19"), ("SAME", "006037")),
    )
    assert _match(area) == ("vr19",)


def test_the_whole_country_maps_to_every_region() -> None:
    """An areaDesc 'Nederland' means every safety region."""
    assert _match(CapArea(description="Nederland")) == load_registry().region_ids()


def test_a_large_polygon_maps_to_every_region_it_overlaps() -> None:
    """A box over the south-west maps to the regions it overlaps, not to centres inside it."""
    regions = set(_match(CapArea(description="Zuidwest", polygons=(SQUARE,))))
    assert regions == {"vr09", "vr15", "vr16", "vr17", "vr18", "vr19", "vr20"}


def test_a_point_maps_to_its_region() -> None:
    """A circle of radius 0 in Kruiningen is Zeeland; in Maastricht it is Limburg-Zuid."""
    kruiningen = CapArea("Kruiningen", circles=((GeoPoint(lat=51.447, lon=4.033), 0.0),))
    maastricht = CapArea("Maastricht", circles=((GeoPoint(lat=50.851, lon=5.69), 0.0),))
    assert _match(kruiningen) == ("vr19",)
    assert _match(maastricht) == ("vr24",)


def test_a_polygon_straddling_a_border_maps_to_both_regions() -> None:
    """A box over the Zeeland / West-Brabant border maps to vr19 and vr20."""
    assert _match(CapArea("Bergen op Zoom", polygons=(_box(51.40, 4.10, 51.55, 4.35),))) == (
        "vr19",
        "vr20",
    )


def test_a_polygon_near_a_border_in_one_region_maps_to_it_alone() -> None:
    """A box in Roermond, 4 km from Germany, is Limburg-Noord (no nearest-centre guess)."""
    assert _match(CapArea("Roermond", polygons=(_box(51.18, 5.96, 51.21, 6.01),))) == ("vr23",)


def test_the_parts_of_an_area_count_together() -> None:
    """Two polygons in one area (a multi-polygon) map to the regions of both parts."""
    area = CapArea(
        "Groningen en Maastricht",
        polygons=(_box(53.20, 6.50, 53.25, 6.60), _box(50.84, 5.66, 50.87, 5.72)),
    )
    assert _match(area) == ("vr01", "vr24")


@pytest.mark.parametrize("place", sorted(ABROAD))
def test_areas_abroad_map_to_nothing_and_are_listed(place: str) -> None:
    """A polygon wholly in a German or Belgian town maps to no region and is named as abroad."""
    match = _matched(CapArea(place, polygons=(_box(*ABROAD[place]),)))
    assert match.regions == ()
    assert match.outside == (place,)


def test_a_circle_abroad_reaching_over_the_border_maps_to_the_dutch_part() -> None:
    """A 10 km circle on Aachen reaches Vaals and Kerkrade: it maps to Limburg-Zuid."""
    area = CapArea("Aachen en omgeving", circles=((GeoPoint(lat=50.776, lon=6.084), 10.0),))
    match = _matched(area)
    assert match.regions == ("vr24",)
    assert match.outside == ()


def test_an_area_abroad_beside_a_dutch_one_is_not_listed_when_something_maps() -> None:
    """Of two areas, the Dutch one maps; the foreign one is listed, the alert is not abroad."""
    match = _matched(
        CapArea("Gent", polygons=(_box(*ABROAD["Gent"]),)),
        CapArea("Terneuzen", circles=((GeoPoint(lat=51.335, lon=3.83), 2.0),)),
    )
    assert match.regions == ("vr19",)
    assert match.outside == ("Gent",)


def test_a_geocode_maps_an_area_whose_geometry_lies_abroad() -> None:
    """An explicit region geocode wins over imprecise geometry: the area is not abroad."""
    area = CapArea("Grensgebied", polygons=(_box(*ABROAD["Aachen"]),), geocodes=(("VR", "VR24"),))
    match = _matched(area)
    assert match.regions == ("vr24",)
    assert match.outside == ()


@pytest.mark.parametrize(
    ("description", "regions"),
    [
        ("Noord-Holland", ("vr10", "vr11", "vr12", "vr13", "vr14")),
        ("Provincie Zuid-Holland", ("vr15", "vr16", "vr17", "vr18")),
        ("Gelderland", ("vr06", "vr07", "vr08")),
        ("Limburg", ("vr23", "vr24")),
        ("North Brabant", ("vr20", "vr21", "vr22")),
        ("Fryslân", ("vr02",)),
    ],
)
def test_province_names_map_to_their_regions(description: str, regions: tuple[str, ...]) -> None:
    """Weather warnings per province map to every region of the province."""
    assert _match(CapArea(description=description)) == regions


def test_region_names_still_map() -> None:
    """An areaDesc that is a region name maps to that region."""
    assert _match(CapArea(description="Veiligheidsregio Twente")) == ("vr05",)


def test_an_unknown_name_without_geometry_maps_to_nothing() -> None:
    """A town name alone is not geography: unmapped, and not listed as abroad either."""
    match = _matched(CapArea(description="Kruiningen"))
    assert match.regions == ()
    assert match.outside == ()
