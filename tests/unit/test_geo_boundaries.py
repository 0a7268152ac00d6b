"""The safety-region boundaries: point in region, area overlap, outside, adjacency."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.contracts.geo import GeoPoint
from hub.geo import circle_shape, load_boundaries, point_shape, polygon_shape
from hub.geo.boundaries import MIN_SHARE


def _p(lat: float, lon: float) -> GeoPoint:
    return GeoPoint(lat=lat, lon=lon)


def _box(south: float, west: float, north: float, east: float) -> list[GeoPoint]:
    return [_p(south, west), _p(south, east), _p(north, east), _p(north, west), _p(south, west)]


@pytest.mark.parametrize(
    ("place", "lat", "lon", "region"),
    [
        ("Kruiningen", 51.447, 4.033, "vr19"),
        ("Maastricht", 50.851, 5.690, "vr24"),
        ("Groningen", 53.219, 6.567, "vr01"),
        ("Amsterdam Dam", 52.373, 4.893, "vr13"),
        ("Lelystad", 52.518, 5.471, "vr25"),
        ("Venlo", 51.370, 6.172, "vr23"),
        ("Aachen", 50.776, 6.084, None),
        ("Antwerpen", 51.219, 4.402, None),
        ("Kleve", 51.790, 6.140, None),
    ],
)
def test_region_at(place: str, lat: float, lon: float, region: str | None) -> None:
    """A point lies in the region whose boundary holds it, or in none abroad."""
    assert load_boundaries().region_at(_p(lat, lon)) == region, place


def test_the_data_holds_the_25_regions_with_names() -> None:
    """The data's statcode VR01..VR25 becomes the ids vr01..vr25; names come along."""
    regions = load_boundaries().regions
    assert list(regions) == [f"vr{n:02d}" for n in range(1, 26)]
    assert regions["vr19"].name == "Zeeland"
    assert regions["vr24"].name == "Limburg-Zuid"


def test_a_polygon_straddling_two_regions_maps_to_both() -> None:
    """A box over the Zeeland / West-Brabant border (Bergen op Zoom) overlaps vr19 and vr20."""
    box = polygon_shape(_box(51.40, 4.10, 51.55, 4.35))
    assert load_boundaries().overlapping(box) == ("vr19", "vr20")


def test_a_polygon_inside_one_region_maps_to_it_alone() -> None:
    """A small box around Middelburg lies in Zeeland only."""
    box = polygon_shape(_box(51.48, 3.58, 51.52, 3.64))
    assert load_boundaries().overlapping(box) == ("vr19",)


def test_a_circle_maps_to_the_regions_it_covers() -> None:
    """A 5 km circle on Maastricht is vr24; 30 km around Eindhoven reaches Limburg-Noord."""
    boundaries = load_boundaries()
    assert boundaries.overlapping(circle_shape(_p(50.851, 5.690), 5.0)) == ("vr24",)
    wide = boundaries.overlapping(circle_shape(_p(51.44, 5.48), 30.0))
    assert {"vr22", "vr23"} <= set(wide)


def test_a_multipolygon_maps_to_each_part() -> None:
    """Two boxes, one in Groningen and one in Zuid-Limburg, map to both regions."""
    north = polygon_shape(_box(53.20, 6.50, 53.25, 6.60))
    south = polygon_shape(_box(50.84, 5.66, 50.87, 5.72))
    assert load_boundaries().overlapping(north.union(south)) == ("vr01", "vr24")


def test_a_point_maps_to_the_region_it_touches() -> None:
    """A circle of radius 0 is a point: it maps to its region."""
    assert load_boundaries().overlapping(circle_shape(_p(51.447, 4.033), 0.0)) == ("vr19",)


def test_a_national_polygon_keeps_the_smallest_region() -> None:
    """A box over the whole country covers every region, Gooi en Vechtstreek included."""
    everything = polygon_shape(_box(50.6, 3.2, 53.7, 7.3))
    assert len(load_boundaries().overlapping(everything)) == 25


def test_a_border_sliver_does_not_add_a_neighbour() -> None:
    """A box over Zuid-Beveland that grazes West-Brabant (under 1 % of it) is vr19 alone."""
    boundaries = load_boundaries()
    area = polygon_shape(_box(51.38, 3.85, 51.50, 4.23))
    sliver = boundaries.regions["vr20"].geometry.intersection(area).area
    assert 0 < sliver < MIN_SHARE * area.area
    assert boundaries.overlapping(area) == ("vr19",)


def test_an_area_on_inland_water_maps_to_the_nearest_boundary() -> None:
    """The IJsselmeer lies in no region but is Dutch: it maps to the nearest region(s)."""
    boundaries = load_boundaries()
    lake = circle_shape(_p(52.80, 5.30), 2.0)
    assert boundaries.region_at(_p(52.80, 5.30)) is None
    assert not boundaries.outside(lake)
    found = boundaries.overlapping(lake)
    assert found
    assert set(found) <= {"vr02", "vr10", "vr25"}


def test_the_open_sea_is_outside() -> None:
    """A circle in the North Sea, 40 km off IJmuiden, is outside the territory."""
    sea = circle_shape(_p(52.50, 4.00), 5.0)
    assert load_boundaries().outside(sea)
    assert load_boundaries().overlapping(sea) == ()


@pytest.mark.parametrize(
    ("place", "south", "west", "north", "east"),
    [
        ("Aachen", 50.74, 6.03, 50.80, 6.13),
        ("Kleve", 51.77, 6.10, 51.81, 6.17),
        ("Borken", 51.82, 6.82, 51.86, 6.90),
        ("Emden", 53.34, 7.17, 53.39, 7.24),
        ("Antwerpen", 51.19, 4.36, 51.25, 4.44),
        ("Gent", 51.02, 3.68, 51.08, 3.77),
    ],
)
def test_areas_abroad_overlap_no_region(
    place: str, south: float, west: float, north: float, east: float
) -> None:
    """Polygons wholly in German or Belgian towns lie outside every region."""
    area = polygon_shape(_box(south, west, north, east))
    boundaries = load_boundaries()
    assert boundaries.overlapping(area) == (), place
    assert boundaries.outside(area), place


def test_a_self_crossing_polygon_is_repaired_not_refused() -> None:
    """A bow-tie polygon over Maastricht still maps to vr24."""
    bow = [_p(50.84, 5.66), _p(50.87, 5.72), _p(50.84, 5.72), _p(50.87, 5.66), _p(50.84, 5.66)]
    shape = polygon_shape(bow)
    assert shape.is_valid
    assert load_boundaries().overlapping(shape) == ("vr24",)


def test_adjacency_is_symmetric_and_matches_the_map() -> None:
    """Zeeland borders Rotterdam-Rijnmond and Midden- en West-Brabant; Zuid-Limburg only vr23."""
    boundaries = load_boundaries()
    assert boundaries.adjacent("vr19") == ("vr17", "vr20")
    assert boundaries.adjacent("vr24") == ("vr23",)
    assert "vr01" not in boundaries.adjacent("vr24")
    for region in boundaries.regions:
        assert region not in boundaries.adjacent(region)
        for other in boundaries.adjacent(region):
            assert region in boundaries.adjacent(other)


def test_adjacency_of_an_unknown_region_names_it() -> None:
    """Asking for a region without a boundary raises KeyError naming it."""
    with pytest.raises(KeyError, match="ncc"):
        load_boundaries().adjacent("ncc")


@settings(max_examples=80, deadline=None)
@given(
    lat=st.floats(min_value=50.75, max_value=53.55),
    lon=st.floats(min_value=3.35, max_value=7.2),
)
def test_a_point_in_a_region_overlaps_exactly_that_region(lat: float, lon: float) -> None:
    """A point in a region overlaps it; a point in no region maps only if on inland water."""
    boundaries = load_boundaries()
    region = boundaries.region_at(_p(lat, lon))
    spot = point_shape(_p(lat, lon))
    overlapped = boundaries.overlapping(spot)
    if region is not None:
        assert region in overlapped
    else:
        assert bool(overlapped) is not boundaries.outside(spot)
