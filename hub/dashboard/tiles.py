"""The tile-grid map of the safety regions, laid out from their centre points.

Each region gets one square tile. Its ideal place is its centre point projected onto a grid
(longitude scaled by the cosine of the mean latitude, so the map keeps the country's shape);
regions then take, in order of how crowded their neighbourhood is (most crowded first), the
free cell nearest their ideal place. The result is deterministic and no two regions share a
cell; the page draws it as SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hub.contracts.organisations import Organisation, OrganisationRegistry

__all__ = ["CELL_DEGREES", "Tile", "tile_layout"]

CELL_DEGREES = 0.3
"""Height of one grid cell in degrees of latitude (about 33 km)."""


@dataclass(frozen=True, slots=True)
class Tile:
    """One region's tile: its id, name and grid cell (column from the west, row from the north)."""

    region_id: str
    name: str
    col: int
    row: int

    def as_json(self) -> dict[str, object]:
        """The tile as the page receives it."""
        return {"region_id": self.region_id, "name": self.name, "col": self.col, "row": self.row}


def _ideal(regions: Sequence[Organisation]) -> dict[str, tuple[float, float]]:
    """Each region's fractional (column, row) on the grid."""
    centres = {r.id: r.centre for r in regions if r.centre is not None}
    north = max(c.lat for c in centres.values())
    west = min(c.lon for c in centres.values())
    squeeze = math.cos(math.radians(sum(c.lat for c in centres.values()) / len(centres)))
    return {
        org: ((c.lon - west) * squeeze / CELL_DEGREES, (north - c.lat) / CELL_DEGREES)
        for org, c in centres.items()
    }


def _crowding(org: str, ideal: dict[str, tuple[float, float]]) -> float:
    x, y = ideal[org]
    return sum(1 / (1 + math.hypot(x - ox, y - oy)) for other, (ox, oy) in ideal.items()
               if other != org)  # fmt: skip


def _nearest_free(x: float, y: float, taken: set[tuple[int, int]]) -> tuple[int, int]:
    reach = 1
    while True:
        cells = [
            (col, row)
            for col in range(math.floor(x) - reach, math.floor(x) + reach + 1)
            for row in range(math.floor(y) - reach, math.floor(y) + reach + 1)
            if (col, row) not in taken
        ]
        if cells:
            return min(cells, key=lambda c: (math.hypot(c[0] + 0.5 - x, c[1] + 0.5 - y), c))
        reach += 1


def tile_layout(registry: OrganisationRegistry) -> list[Tile]:
    """The tiles of every region with a centre point, shifted so the grid starts at (0, 0)."""
    regions = [r for r in registry.regions() if r.centre is not None]
    ideal = _ideal(regions)
    order = sorted(ideal, key=lambda org: (-_crowding(org, ideal), org))
    taken: set[tuple[int, int]] = set()
    cells: dict[str, tuple[int, int]] = {}
    for org in order:
        cells[org] = _nearest_free(*ideal[org], taken)
        taken.add(cells[org])
    min_col = min(col for col, _ in cells.values())
    min_row = min(row for _, row in cells.values())
    names = {r.id: r.name for r in regions}
    return [
        Tile(org, names[org], cells[org][0] - min_col, cells[org][1] - min_row)
        for org in sorted(cells)
    ]
