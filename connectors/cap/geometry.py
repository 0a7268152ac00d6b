"""The geometry of a CAP alert's areas, kept in the hub location (contract version 2).

The importer maps areas to safety regions (:mod:`connectors.cap.area`); this module keeps the
alert's own shapes so a map shows where the warning is, not only which regions it touches:

- every ``<polygon>`` of every ``<area>`` becomes one of the location's ``polygons`` (CAP has no
  holes); a ring with fewer than 3 distinct points, or more than the contract's
  :data:`~hub.contracts.geo.MAX_RING_POINTS`, is left out;
- a ``<circle>`` with a radius above 0 is the location's ``circle`` when it is the only shape;
  beside other shapes it is kept as a polygon of 32 points (a location holds polygons or one
  circle). A circle of radius 0 is a point (the hub's own CAP writes its point so); a radius
  over :data:`~hub.contracts.geo.MAX_RADIUS_KM` is left out;
- at most :data:`~hub.contracts.fields.MAX_POLYGONS` shapes are kept, in document order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from connectors.cap.model import CapArea
from hub.contracts.fields import MAX_POLYGONS
from hub.contracts.geo import MAX_RADIUS_KM, MAX_RING_POINTS, GeoCircle, GeoPoint, GeoPolygon

__all__ = ["AlertGeometry", "alert_geometry"]

_CIRCLE_SEGMENTS = 32


@dataclass(frozen=True, slots=True)
class AlertGeometry:
    """The shapes of an alert's areas: polygons, or a single circle, or nothing."""

    polygons: tuple[GeoPolygon, ...] = ()
    circle: GeoCircle | None = None

    def as_location_fields(self) -> dict[str, object]:
        """The ``polygons`` and ``circle`` fields of a hub location."""
        return {"polygons": list(self.polygons), "circle": self.circle}


def _ring(points: tuple[GeoPoint, ...]) -> GeoPolygon | None:
    if len(set(points)) < 3 or len(points) > MAX_RING_POINTS:
        return None
    return GeoPolygon(outer=list(points))


def _circles(areas: Iterable[CapArea]) -> list[GeoCircle]:
    return [
        GeoCircle(centre=centre, radius_km=radius)
        for area in areas
        for centre, radius in area.circles
        if 0.0 < radius <= MAX_RADIUS_KM
    ]


def alert_geometry(areas: Iterable[CapArea]) -> AlertGeometry:
    """Return the shapes of ``areas`` as the hub location keeps them (module doc)."""
    areas = list(areas)
    polygons = [ring for a in areas for p in a.polygons if (ring := _ring(p)) is not None]
    circles = _circles(areas)
    if not polygons and len(circles) == 1:
        return AlertGeometry(circle=circles[0])
    polygons += [GeoPolygon(outer=c.to_ring(_CIRCLE_SEGMENTS)) for c in circles]
    return AlertGeometry(polygons=tuple(polygons[:MAX_POLYGONS]))
