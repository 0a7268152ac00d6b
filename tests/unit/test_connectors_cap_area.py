"""CAP areas to safety regions: geocodes first, then the country, geometry and region names."""

from __future__ import annotations

import pytest

from connectors.cap.area import match_areas, nearest_region, point_in_polygon, polygon_centroid
from connectors.cap.model import CapArea
from connectors.cap.tables import load_tables
from hub.contracts.geo import GeoPoint
from hub.contracts.organisations import load_registry

SQUARE = tuple(
    GeoPoint(lat=lat, lon=lon) for lat, lon in ((51, 3), (52, 3), (52, 5), (51, 5), (51, 3))
)


def _match(area: CapArea) -> tuple[str, ...]:
    """Return the regions ``area`` maps to with the packaged registry and tables."""
    return match_areas([area], load_registry(), load_tables()).regions


@pytest.mark.parametrize(
    ("lat", "lon", "inside"), [(51.5, 4.0, True), (52.5, 4.0, False), (51.5, 5.5, False)]
)
def test_point_in_polygon(lat: float, lon: float, inside: bool) -> None:
    """Ray casting tells points inside a closed polygon from points outside it."""
    assert point_in_polygon(GeoPoint(lat=lat, lon=lon), SQUARE) is inside


def test_polygon_centroid_ignores_the_closing_point() -> None:
    """The centroid is the mean of the distinct vertices."""
    assert polygon_centroid(SQUARE) == GeoPoint(lat=51.5, lon=4.0)


def test_nearest_region_only_within_the_radius() -> None:
    """The nearest region centre counts only when it lies within the radius."""
    vlissingen = GeoPoint(lat=51.44, lon=3.57)
    assert nearest_region(vlissingen, load_registry(), 60.0) == "vr19"
    assert nearest_region(GeoPoint(lat=48.85, lon=2.35), load_registry(), 60.0) is None


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


def test_a_large_polygon_holds_several_region_centres() -> None:
    """A polygon maps to every region whose centre it contains."""
    regions = _match(CapArea(description="Zuidwest", polygons=(SQUARE,)))
    assert regions == ("vr17", "vr18", "vr19", "vr20")


def test_areas_abroad_map_to_nothing() -> None:
    """An area far from every region centre maps to no region."""
    paris = CapArea(description="Paris", circles=((GeoPoint(lat=48.85, lon=2.35), 5.0),))
    assert _match(paris) == ()
