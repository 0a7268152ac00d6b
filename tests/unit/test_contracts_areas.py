"""Areas in the contracts: polygons and circles of a location (contract version 2)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.contracts.fields import Location
from hub.contracts.geo import GeoCircle, GeoPoint, GeoPolygon, haversine_km

TRIANGLE = [{"lat": 51.4, "lon": 4.0}, {"lat": 51.5, "lon": 4.0}, {"lat": 51.5, "lon": 4.1}]


def test_an_open_ring_is_closed() -> None:
    """A ring that does not end at its first point gets the first point again."""
    polygon = GeoPolygon.model_validate({"outer": TRIANGLE})
    assert len(polygon.outer) == 4
    assert polygon.outer[0] == polygon.outer[-1]


def test_a_ring_of_two_points_is_refused_naming_the_field() -> None:
    """A ring needs three distinct points; the error names ``outer`` and the count."""
    with pytest.raises(ValidationError) as caught:
        GeoPolygon.model_validate({"outer": TRIANGLE[:2]})
    error = caught.value.errors()[0]
    assert error["loc"] == ("outer",)
    assert "at least 3 distinct points" in error["msg"]


def test_geojson_coordinates_are_longitude_first() -> None:
    """GeoJSON positions are [lon, lat]; the polygon gives its outer ring, then its holes."""
    polygon = GeoPolygon.model_validate({"outer": TRIANGLE, "holes": []})
    coordinates = polygon.to_geojson()
    assert coordinates[0][0] == [4.0, 51.4]
    assert coordinates[0][-1] == coordinates[0][0]


@pytest.mark.parametrize("radius", [0.0, -1.0, 501.0, float("nan")])
def test_a_circle_radius_must_be_positive_and_at_most_500_km(radius: float) -> None:
    """Zero, negative, NaN or continent-wide radii are refused, naming ``radius_km``."""
    with pytest.raises(ValidationError) as caught:
        GeoCircle.model_validate({"centre": {"lat": 51.5, "lon": 4.0}, "radius_km": radius})
    assert caught.value.errors()[0]["loc"] == ("radius_km",)


def test_a_circle_as_a_ring_lies_at_its_radius() -> None:
    """Every point of the approximating ring is the radius away from the centre (within 0.1 %)."""
    circle = GeoCircle(centre=GeoPoint(lat=52.1, lon=5.1), radius_km=12.5)
    ring = circle.to_ring(32)
    assert ring[0] == ring[-1]
    assert len(ring) == 33
    for point in ring:
        assert haversine_km(circle.centre, point) == pytest.approx(12.5, rel=1e-3)


def test_a_location_may_be_only_an_area() -> None:
    """Polygons or a circle alone are a location; nothing at all is not."""
    assert Location.model_validate({"polygons": [{"outer": TRIANGLE}]}).has_geometry
    circle = {"centre": {"lat": 51.5, "lon": 4.0}, "radius_km": 3}
    assert Location.model_validate({"circle": circle}).has_geometry
    assert not Location.model_validate({"place": "Middelburg"}).has_geometry
    with pytest.raises(ValidationError, match="a place name, a point, an area"):
        Location.model_validate({})


def test_polygons_and_a_circle_together_are_refused_with_the_fix() -> None:
    """One location has one area: the error says to send two locations or a polygon."""
    circle = {"centre": {"lat": 51.5, "lon": 4.0}, "radius_km": 3}
    with pytest.raises(ValidationError, match="not both"):
        Location.model_validate({"polygons": [{"outer": TRIANGLE}], "circle": circle})
