"""From CAP areas to safety regions, by the regions' real boundaries (:mod:`hub.geo`).

Each ``<area>`` is matched by the first rule that finds regions, most explicit first:

1. geocodes: a value that names a region (``vr19`` or the CBS code ``VR19``) under one of the
   valueNames in the tables (``nl.kcr.region``, ``veiligheidsregio``, ``VR``, ``CBS``);
2. an areaDesc that means the whole country (``Nederland``, ``Netherlands``, ...): every region;
3. geometry: the regions the area's polygons and circles together overlap (a multi-polygon is
   its parts; an overlap counts from 1 % of the area or of the region, so a sliver that comes
   from the generalised boundaries adds no neighbour; an area on inland water such as the
   IJsselmeer maps to the region(s) with the nearest boundary);
4. an areaDesc that names a province (``Noord-Holland``, ``Provincie Limburg``, ``South
   Holland``): the regions it contains (:mod:`hub.geo.provinces`);
5. an areaDesc that is a region name (``Zeeland``, ``Veiligheidsregio Zeeland``).

An area whose geometry lies wholly outside the Netherlands (Aachen, Antwerpen, the open sea)
and that no other rule maps is listed in :attr:`AreaMatch.outside`: the importer refuses an
alert that maps nowhere else with ``area_outside_nl``. There is no nearest-centre guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from shapely import unary_union
from shapely.geometry.base import BaseGeometry

from connectors.cap.model import CapArea
from connectors.cap.tables import CapTables
from hub.contracts.geo import GeoPoint
from hub.contracts.organisations import OrganisationRegistry
from hub.geo import Boundaries, circle_shape, load_boundaries, polygon_shape, province_regions

__all__ = ["AreaMatch", "area_shape", "match_areas", "polygon_centroid"]

_PLACE_MAX = 200
_DECIMALS = 6
"""Decimal places of computed coordinates (about 0.1 m)."""


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """The regions CAP areas map to, a place and point for the hub location, and areas abroad.

    ``outside`` holds the descriptions of areas whose geometry lies wholly outside the
    Netherlands and that no other rule mapped.
    """

    regions: tuple[str, ...]
    place: str | None
    point: GeoPoint | None
    outside: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Lookup:
    registry: OrganisationRegistry
    tables: CapTables
    boundaries: Boundaries


def polygon_centroid(polygon: Sequence[GeoPoint]) -> GeoPoint:
    """Return the mean of the vertices of the closed ``polygon`` (its last point repeats)."""
    vertices = polygon[:-1] if len(polygon) > 1 and polygon[0] == polygon[-1] else polygon
    lat = sum(p.lat for p in vertices) / len(vertices)
    lon = sum(p.lon for p in vertices) / len(vertices)
    return GeoPoint(lat=round(lat, _DECIMALS), lon=round(lon, _DECIMALS))


def area_shape(area: CapArea) -> BaseGeometry | None:
    """Return the union of ``area``'s polygons and circles, or None if it has no geometry."""
    shapes = [polygon_shape(p) for p in area.polygons if p]
    shapes += [circle_shape(centre, radius) for centre, radius in area.circles]
    return unary_union(shapes) if shapes else None


def _by_geocode(area: CapArea, lookup: _Lookup) -> set[str]:
    names = {name.casefold() for name in lookup.tables.region_geocode_names}
    values = (v.strip().lower() for n, v in area.geocodes if n.strip().casefold() in names)
    return {v for v in values if lookup.registry.is_region(v)}


def _by_country(area: CapArea, lookup: _Lookup) -> set[str]:
    if area.description.strip().casefold() in lookup.tables.national_area_names:
        return set(lookup.registry.region_ids())
    return set()


def _by_geometry(area: CapArea, lookup: _Lookup) -> set[str]:
    shape = area_shape(area)
    return set(lookup.boundaries.overlapping(shape)) if shape is not None else set()


def _by_province(area: CapArea, lookup: _Lookup) -> set[str]:
    return set(province_regions(area.description))


def _by_name(area: CapArea, lookup: _Lookup) -> set[str]:
    name = area.description.strip().casefold().removeprefix("veiligheidsregio ").strip()
    return {r.id for r in lookup.registry.regions() if r.name.casefold() == name}


_RULES: tuple[Callable[[CapArea, _Lookup], set[str]], ...] = (
    _by_geocode,
    _by_country,
    _by_geometry,
    _by_province,
    _by_name,
)


def _regions_of(area: CapArea, lookup: _Lookup) -> set[str]:
    for rule in _RULES:
        found = rule(area, lookup) & set(lookup.registry.region_ids())
        if found:
            return found
    return set()


def _abroad(area: CapArea, lookup: _Lookup) -> bool:
    shape = area_shape(area)
    return shape is not None and lookup.boundaries.outside(shape)


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
    areas: Sequence[CapArea],
    registry: OrganisationRegistry,
    tables: CapTables,
    boundaries: Boundaries | None = None,
) -> AreaMatch:
    """Return the regions ``areas`` map to (registry order), with a place, a point, areas abroad.

    ``boundaries`` defaults to the packaged region boundaries.
    """
    lookup = _Lookup(registry, tables, boundaries or load_boundaries())
    found: set[str] = set()
    outside: list[str] = []
    for area in areas:
        mapped = _regions_of(area, lookup)
        found |= mapped
        if not mapped and _abroad(area, lookup):
            outside.append(area.description.strip() or "an area without description")
    regions = tuple(r for r in registry.region_ids() if r in found)
    return AreaMatch(
        regions=regions, place=_place(areas), point=_first_point(areas), outside=tuple(outside)
    )
