"""Places on the earth (WGS84): points, polygons and circles, and great-circle distances.

The shapes are those of GeoJSON (RFC 7946) and CAP: a point, a polygon (an outer ring and
optional holes, as GeoJSON's Polygon), several polygons (a MultiPolygon), or a circle (a centre
and a radius, as CAP's ``<circle>``; GeoJSON has no circle, see :meth:`GeoCircle.to_ring`).
Coordinates are decimal degrees; :meth:`GeoPoint.to_geojson` gives GeoJSON's ``[lon, lat]``
order. Whether a shape is valid as a surface (no self-intersection) and where it lies is for
the geography layer (:mod:`hub.geo`), not for the contracts.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "EARTH_RADIUS_KM",
    "MAX_RING_POINTS",
    "GeoCircle",
    "GeoPoint",
    "GeoPolygon",
    "Ring",
    "close_ring",
    "haversine_km",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean earth radius (IUGG) used for great-circle distances."""
MAX_RING_POINTS = 2000
"""The most points one ring of a polygon may have (a generalised region boundary has ~300)."""
MAX_HOLES = 50
"""The most holes one polygon may have."""
MAX_RADIUS_KM = 500.0
"""The largest circle: wider than the Netherlands, so no real area is refused."""

Latitude = Annotated[float, Field(ge=-90.0, le=90.0, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, allow_inf_nan=False)]


class GeoPoint(BaseModel):
    """A point in WGS84 decimal degrees."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: Latitude = Field(description="Latitude in decimal degrees (WGS84), -90 to 90.")
    lon: Longitude = Field(description="Longitude in decimal degrees (WGS84), -180 to 180.")

    def to_geojson(self) -> list[float]:
        """Return the GeoJSON position: ``[longitude, latitude]``."""
        return [self.lon, self.lat]


def close_ring(ring: list[GeoPoint]) -> list[GeoPoint]:
    """Close ``ring`` (first point repeated last) and check it has a surface's 4 points."""
    if ring and ring[0] != ring[-1]:
        ring = [*ring, ring[0]]
    if len(ring) < 4:
        raise ValueError(
            "a polygon ring needs at least 3 distinct points (4 with the closing point); "
            f"this one has {len(ring)}"
        )
    return ring


Ring = Annotated[list[GeoPoint], AfterValidator(close_ring), Field(max_length=MAX_RING_POINTS)]


class GeoPolygon(BaseModel):
    """A polygon: an outer ring and optional holes (GeoJSON's Polygon, CAP's ``<polygon>``).

    A ring that does not end where it began is closed; a ring needs 3 distinct points.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    outer: Ring = Field(description="The outer boundary, WGS84 points (closed if not).")
    holes: list[Ring] = Field(
        default_factory=list, max_length=MAX_HOLES, description="Rings cut out of the polygon."
    )

    def to_geojson(self) -> list[list[list[float]]]:
        """Return the GeoJSON Polygon coordinates: the outer ring first, then the holes."""
        return [[p.to_geojson() for p in ring] for ring in (self.outer, *self.holes)]


class GeoCircle(BaseModel):
    """A circle: a centre and a radius in kilometres (CAP's ``<circle>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    centre: GeoPoint = Field(description="The centre (WGS84).")
    radius_km: Annotated[float, Field(gt=0.0, le=MAX_RADIUS_KM, allow_inf_nan=False)] = Field(
        description=f"The radius in kilometres, above 0 and at most {MAX_RADIUS_KM:.0f}."
    )

    def to_ring(self, segments: int = 64) -> list[GeoPoint]:
        """Return a closed ring of ``segments`` points approximating the circle (for GeoJSON).

        Points are placed on the sphere at the radius' great-circle distance from the centre.
        """
        ring = [
            GeoPoint(lat=round(lat, 6), lon=round(lon, 6))
            for lat, lon in circle_vertices(self.centre, self.radius_km, segments)
        ]
        return [*ring, ring[0]]


def circle_vertices(centre: GeoPoint, radius_km: float, segments: int) -> list[tuple[float, float]]:
    """Return ``segments`` (lat, lon) points ``radius_km`` from ``centre``, evenly by bearing.

    Each lies on the great circle from the centre at its bearing (so the circle is round on the
    ground, not in degrees); longitudes are kept within -180..180.
    """
    lat, lon = math.radians(centre.lat), math.radians(centre.lon)
    angular = radius_km / EARTH_RADIUS_KM
    vertices = []
    for step in range(segments):
        bearing = 2 * math.pi * step / segments
        lat2 = math.asin(
            math.sin(lat) * math.cos(angular)
            + math.cos(lat) * math.sin(angular) * math.cos(bearing)
        )
        lon2 = lon + math.atan2(
            math.sin(bearing) * math.sin(angular) * math.cos(lat),
            math.cos(angular) - math.sin(lat) * math.sin(lat2),
        )
        vertices.append((math.degrees(lat2), (math.degrees(lon2) + 540.0) % 360.0 - 180.0))
    return vertices


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Return the great-circle distance between two points in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
