"""The 25 safety regions by their boundaries: which region a point is in, what an area overlaps.

The boundaries are package data (``data/veiligheidsregio_2024.geojson``: CBS/PDOK generalised
boundaries via cartomap/nl, CC BY 4.0; see ``data/README.md``), read once and kept as prepared
shapely geometries. A feature's ``statcode`` ``VR19`` is the hub's organisation id ``vr19``.

The boundaries are generalised (coordinates to about 100 m), so overlaps are weighed, not just
tested: an area overlaps a region when the shared part is at least :data:`MIN_SHARE` of the area
or of the region. A sliver along a border that comes from the generalisation then does not add a
neighbour, while a national warning still covers the smallest region. Shares are computed in
degrees²; they are ratios between shapes a few tens of kilometres apart, where the distortion
of longitude cancels out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType

from shapely import prepare, unary_union
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from hub.contracts.geo import GeoPoint
from hub.errors import HubError
from hub.geo.shapes import point_shape

__all__ = [
    "ADJACENCY_TOLERANCE_DEG",
    "MIN_SHARE",
    "Boundaries",
    "BoundaryDataError",
    "RegionBoundary",
    "load_boundaries",
]

MIN_SHARE = 0.01
"""An overlap counts when it is at least this share of the area or of the region."""

ADJACENCY_TOLERANCE_DEG = 0.003
"""Regions whose boundaries come this close (about 200 m) are neighbours despite generalisation."""

_DATA_FILE = "veiligheidsregio_2024.geojson"
_REGION_COUNT = 25


class BoundaryDataError(HubError, ValueError):
    """The packaged boundary file does not hold the 25 regions; ``found`` says how many it does."""

    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(
            f"{_DATA_FILE} holds {found} regions, not {_REGION_COUNT}",
            fix="restore hub/geo/data/ from the package (cartomap/nl veiligheidsregio_2024).",
        )


@dataclass(frozen=True, eq=False)
class RegionBoundary:
    """One safety region: its organisation id, its name in the data, and its (prepared) shape."""

    region: str
    name: str
    geometry: BaseGeometry


@dataclass(frozen=True, eq=False)
class Boundaries:
    """The boundaries of the safety regions, keyed by region id (``vr01`` … ``vr25``)."""

    regions: Mapping[str, RegionBoundary]
    _neighbours: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @cached_property
    def territory(self) -> BaseGeometry:
        """The union of all regions with its holes filled: the country and its inland waters.

        The region boundaries leave out the large waters they enclose (IJsselmeer, Markermeer,
        Oosterschelde, Haringvliet); those are Dutch all the same. Open sea (the North Sea, the
        Wadden Sea beyond the islands) is not part of it.
        """
        union = unary_union([r.geometry for r in self.regions.values()])
        parts = list(union.geoms) if isinstance(union, MultiPolygon) else [union]
        filled = unary_union([Polygon(p.exterior) for p in parts if isinstance(p, Polygon)])
        prepare(filled)
        return filled

    def region_at(self, point: GeoPoint) -> str | None:
        """Return the region ``point`` lies in (its boundary included), or None outside them."""
        spot = point_shape(point)
        return next((r.region for r in self.regions.values() if r.geometry.covers(spot)), None)

    def overlapping(self, area: BaseGeometry) -> tuple[str, ...]:
        """Return the regions ``area`` overlaps (see :data:`MIN_SHARE`), in region order.

        A point or line (no area) overlaps the regions it touches. When only slivers overlap,
        the region with the largest shared part is returned, so an area inside the country
        always maps. An area wholly on inland water (:attr:`territory`, no region) maps to the
        region(s) whose boundary is nearest. An area outside the territory returns ``()``.
        """
        if self.outside(area):
            return ()
        touched = [r for r in self.regions.values() if r.geometry.intersects(area)]
        if not touched:
            return self._nearest(area)
        if area.area == 0:
            return tuple(r.region for r in touched)
        shared = {r.region: r.geometry.intersection(area).area for r in touched}
        kept = [
            r.region
            for r in touched
            if shared[r.region] >= MIN_SHARE * min(area.area, r.geometry.area)
        ]
        return tuple(kept) or (max(shared, key=shared.__getitem__),)

    def outside(self, area: BaseGeometry) -> bool:
        """Whether ``area`` lies wholly outside the Netherlands (:attr:`territory`)."""
        return area.is_empty or not self.territory.intersects(area)

    def _nearest(self, area: BaseGeometry) -> tuple[str, ...]:
        distance = {r.region: r.geometry.distance(area) for r in self.regions.values()}
        nearest = min(distance.values())
        return tuple(r for r, d in distance.items() if d <= nearest + ADJACENCY_TOLERANCE_DEG)

    def adjacent(self, region: str) -> tuple[str, ...]:
        """Return the regions that border ``region`` (within :data:`ADJACENCY_TOLERANCE_DEG`).

        Raises ``KeyError`` naming the region when it has no boundary.
        """
        if region not in self.regions:
            raise KeyError(f"{region}: no boundary; the regions are vr01 to vr25")
        if region not in self._neighbours:
            near = self.regions[region].geometry.buffer(ADJACENCY_TOLERANCE_DEG)
            self._neighbours[region] = tuple(
                other.region
                for other in self.regions.values()
                if other.region != region and near.intersects(other.geometry)
            )
        return self._neighbours[region]


@cache
def load_boundaries() -> Boundaries:
    """Return the packaged region boundaries (read and prepared once, then cached).

    Raises :class:`BoundaryDataError` if the file does not hold the 25 regions.
    """
    text = resources.files("hub.geo").joinpath("data", _DATA_FILE).read_text("utf-8")
    regions: dict[str, RegionBoundary] = {}
    for feature in json.loads(text)["features"]:
        properties = feature["properties"]
        geometry = shape(feature["geometry"])
        prepare(geometry)
        region = str(properties["statcode"]).lower()
        regions[region] = RegionBoundary(region, str(properties["statnaam"]), geometry)
    if len(regions) != _REGION_COUNT:
        raise BoundaryDataError(len(regions))
    return Boundaries(MappingProxyType(dict(sorted(regions.items()))))
