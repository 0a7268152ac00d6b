"""Points and great-circle distances."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from hub.contracts.geo import EARTH_RADIUS_KM, GeoPoint, haversine_km

AMSTERDAM = GeoPoint(lat=52.3731, lon=4.8922)
ROTTERDAM = GeoPoint(lat=51.9225, lon=4.47917)


def test_distance_amsterdam_rotterdam() -> None:
    """Amsterdam to Rotterdam is about 57 km as the crow flies."""
    assert haversine_km(AMSTERDAM, ROTTERDAM) == pytest.approx(57.0, abs=1.0)


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    """The distance does not depend on direction and is 0 from a point to itself."""
    assert haversine_km(AMSTERDAM, ROTTERDAM) == haversine_km(ROTTERDAM, AMSTERDAM)
    assert haversine_km(AMSTERDAM, AMSTERDAM) == 0


def test_antipodes_are_half_the_circumference_apart() -> None:
    """Opposite points on the globe are pi times the earth radius apart."""
    distance = haversine_km(GeoPoint(lat=0, lon=0), GeoPoint(lat=0, lon=180))
    assert distance == pytest.approx(math.pi * EARTH_RADIUS_KM)


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [(91, 0, "lat"), (-91, 0, "lat"), (0, 181, "lon"), (math.nan, 0, "lat"), (0, math.inf, "lon")],
)
def test_points_outside_the_globe_are_refused(lat: float, lon: float, field: str) -> None:
    """Latitude must lie in [-90, 90], longitude in [-180, 180], both finite."""
    with pytest.raises(ValidationError) as info:
        GeoPoint(lat=lat, lon=lon)
    assert [error["loc"] for error in info.value.errors()] == [(field,)]
