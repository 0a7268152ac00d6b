"""Geography of the safety regions: boundaries as package data, and pure geometry on them.

- :mod:`hub.geo.boundaries`: the 25 region boundaries (CBS/PDOK, CC BY 4.0), point in region,
  the regions an area overlaps, whether an area lies outside the Netherlands, region adjacency;
- :mod:`hub.geo.shapes`: CAP/EDXL polygons and circles (WGS84 points) as shapely shapes;
- :mod:`hub.geo.provinces`: the 12 provinces by name and the regions each contains.

Pure: no I/O but reading the package data once. Shapely does the geometry (robust predicates,
repair of self-crossing polygons, buffers) that we should not write by hand. The domain
(``hub/domain``) and the contracts never import this package (an import-boundary test keeps
shapely out of them); connectors and the edges do.
"""

from __future__ import annotations

from hub.geo.boundaries import Boundaries, BoundaryDataError, RegionBoundary, load_boundaries
from hub.geo.provinces import Province, province_named, province_regions
from hub.geo.shapes import circle_shape, point_shape, polygon_shape

__all__ = [
    "Boundaries",
    "BoundaryDataError",
    "Province",
    "RegionBoundary",
    "circle_shape",
    "load_boundaries",
    "point_shape",
    "polygon_shape",
    "province_named",
    "province_regions",
]
