"""Geometries from WGS84 points: CAP's polygons and circles as shapely shapes.

Shapely works in plane coordinates; here ``x`` is the longitude and ``y`` the latitude, as in
GeoJSON. A circle (centre and radius in kilometres, as CAP and EDXL give it) becomes a polygon of
points at that great-circle distance from the centre, so it is round on the ground, not in
degrees. A polygon that crosses itself is repaired (``make_valid``) rather than refused: feeds
draw such shapes, and the area they enclose is still meant.
"""

from __future__ import annotations

from collections.abc import Sequence

from shapely import make_valid
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from hub.contracts.geo import GeoPoint, circle_vertices

__all__ = ["CIRCLE_SEGMENTS", "circle_shape", "point_shape", "polygon_shape"]

CIRCLE_SEGMENTS = 64
"""Vertices of the polygon that stands for a circle (error under 0.2 % of the radius)."""

_CORNERS = 3


def point_shape(point: GeoPoint) -> Point:
    """Return ``point`` as a shapely point (x = longitude, y = latitude)."""
    return Point(point.lon, point.lat)


def polygon_shape(vertices: Sequence[GeoPoint]) -> BaseGeometry:
    """Return the area ``vertices`` enclose (closed or not), repaired if it crosses itself.

    Fewer than three distinct vertices enclose nothing: the result is then the points' own
    shape (a point or line), which still lies in or outside a region. ``vertices`` must not be
    empty (CAP's schema requires four pairs).
    """
    coords = [(p.lon, p.lat) for p in vertices]
    distinct = list(dict.fromkeys(coords))
    if len(distinct) < _CORNERS:
        return LineString(distinct) if len(distinct) > 1 else Point(*distinct[0])
    shape = Polygon(coords)
    return shape if shape.is_valid else make_valid(shape)


def circle_shape(centre: GeoPoint, radius_km: float) -> BaseGeometry:
    """Return the circle of ``radius_km`` around ``centre`` (a point when the radius is 0)."""
    if radius_km <= 0:
        return point_shape(centre)
    return Polygon((lon, lat) for lat, lon in circle_vertices(centre, radius_km, CIRCLE_SEGMENTS))
