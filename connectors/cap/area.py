"""From CAP areas to safety regions.

The registry knows each region's centre point, not its boundary, so geometry maps by centres.
Each ``<area>`` is matched by the first rule that finds regions, most explicit first:

1. geocodes: a value that names a region (``vr19`` or the CBS code ``VR19``) under one of the
   valueNames in the tables (``nl.kcr.region``, ``veiligheidsregio``, ``VR``, ``CBS``);
2. an areaDesc that means the whole country (``Nederland``, ``Netherlands``, ...): every region;
3. polygons: the regions whose centre lies inside; else the region nearest the polygon's
   centroid, if its centre is within the match radius (60 km by default);
4. circles: the regions whose centre lies within the circle; else the nearest region centre
   within the match radius of the circle's centre;
5. an areaDesc that is a region name (``Zeeland``, ``Veiligheidsregio Zeeland``).

Nearest-centre matching is an approximation near region borders, documented as such until the
registry carries boundaries.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from connectors.cap.model import CapArea
from connectors.cap.tables import CapTables
from hub.contracts.geo import GeoPoint, haversine_km
from hub.contracts.organisations import Organisation, OrganisationRegistry

__all__ = [
    "AreaMatch",
    "match_areas",
    "nearest_region",
    "point_in_polygon",
    "polygon_centroid",
]

_PLACE_MAX = 200
_DECIMALS = 6
"""Decimal places of computed coordinates (about 0.1 m)."""


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """The regions that CAP areas map to, and a place and point for the hub location."""

    regions: tuple[str, ...]
    place: str | None
    point: GeoPoint | None


def point_in_polygon(point: GeoPoint, polygon: Sequence[GeoPoint]) -> bool:
    """Whether ``point`` lies inside ``polygon`` (ray casting on latitude and longitude)."""
    inside = False
    for a, b in itertools.pairwise(polygon):
        if (a.lat > point.lat) != (b.lat > point.lat):
            crossing = a.lon + (point.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
            if point.lon < crossing:
                inside = not inside
    return inside


def polygon_centroid(polygon: Sequence[GeoPoint]) -> GeoPoint:
    """Return the mean of the vertices of the closed ``polygon`` (its last point repeats)."""
    vertices = polygon[:-1] if len(polygon) > 1 and polygon[0] == polygon[-1] else polygon
    lat = sum(p.lat for p in vertices) / len(vertices)
    lon = sum(p.lon for p in vertices) / len(vertices)
    return GeoPoint(lat=round(lat, _DECIMALS), lon=round(lon, _DECIMALS))


def nearest_region(point: GeoPoint, registry: OrganisationRegistry, radius_km: float) -> str | None:
    """Return the region whose centre is nearest ``point``, if within ``radius_km``."""
    best: tuple[float, str] | None = None
    for region, centre in _centres(registry):
        distance = haversine_km(point, centre)
        if distance <= radius_km and (best is None or distance < best[0]):
            best = (distance, region.id)
    return best[1] if best else None


def _centres(registry: OrganisationRegistry) -> list[tuple[Organisation, GeoPoint]]:
    return [(r, r.centre) for r in registry.regions() if r.centre is not None]


def _by_geocode(area: CapArea, registry: OrganisationRegistry, tables: CapTables) -> set[str]:
    names = {name.casefold() for name in tables.region_geocode_names}
    values = (v.strip().lower() for n, v in area.geocodes if n.strip().casefold() in names)
    return {v for v in values if registry.is_region(v)}


def _by_country(area: CapArea, registry: OrganisationRegistry, tables: CapTables) -> set[str]:
    if area.description.strip().casefold() in tables.national_area_names:
        return set(registry.region_ids())
    return set()


def _by_polygon(area: CapArea, registry: OrganisationRegistry, tables: CapTables) -> set[str]:
    found: set[str] = set()
    for polygon in area.polygons:
        inside = {r.id for r, c in _centres(registry) if point_in_polygon(c, polygon)}
        nearest = nearest_region(polygon_centroid(polygon), registry, tables.match_radius_km)
        found |= inside or ({nearest} if nearest else set())
    return found


def _by_circle(area: CapArea, registry: OrganisationRegistry, tables: CapTables) -> set[str]:
    found: set[str] = set()
    for centre, radius in area.circles:
        inside = {r.id for r, c in _centres(registry) if haversine_km(centre, c) <= radius}
        nearest = nearest_region(centre, registry, tables.match_radius_km)
        found |= inside or ({nearest} if nearest else set())
    return found


def _by_name(area: CapArea, registry: OrganisationRegistry, tables: CapTables) -> set[str]:
    name = area.description.strip().casefold().removeprefix("veiligheidsregio ").strip()
    return {r.id for r in registry.regions() if r.name.casefold() == name}


_RULES: tuple[Callable[[CapArea, OrganisationRegistry, CapTables], set[str]], ...] = (
    _by_geocode,
    _by_country,
    _by_polygon,
    _by_circle,
    _by_name,
)


def _regions_of(area: CapArea, registry: OrganisationRegistry, tables: CapTables) -> set[str]:
    for rule in _RULES:
        found = rule(area, registry, tables)
        if found:
            return found
    return set()


def _first_point(areas: Iterable[CapArea]) -> GeoPoint | None:
    for area in areas:
        if area.circles:
            return area.circles[0][0]
        if area.polygons:
            return polygon_centroid(area.polygons[0])
    return None


def _place(areas: Iterable[CapArea]) -> str | None:
    place = "; ".join(a.description.strip() for a in areas if a.description.strip())
    if len(place) > _PLACE_MAX:
        place = place[: _PLACE_MAX - 1] + "…"
    return place or None


def match_areas(
    areas: Sequence[CapArea], registry: OrganisationRegistry, tables: CapTables
) -> AreaMatch:
    """Return the regions ``areas`` map to (registry order), with a place and a point."""
    found: set[str] = set()
    for area in areas:
        found |= _regions_of(area, registry, tables)
    regions = tuple(r for r in registry.region_ids() if r in found)
    return AreaMatch(regions=regions, place=_place(areas), point=_first_point(areas))
