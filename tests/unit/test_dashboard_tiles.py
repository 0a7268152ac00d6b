"""The tile-grid map of the 25 safety regions, laid out from their centre points."""

from __future__ import annotations

from hub.contracts.organisations import load_registry
from hub.dashboard.tiles import Tile, tile_layout


def _tiles() -> dict[str, Tile]:
    return {tile.region_id: tile for tile in tile_layout(load_registry())}


def test_every_region_has_its_own_cell() -> None:
    """25 tiles, one per region, no two in the same cell, the grid starting at (0, 0)."""
    tiles = _tiles()
    assert sorted(tiles) == sorted(load_registry().region_ids())
    assert len({(t.col, t.row) for t in tiles.values()}) == 25
    assert min(t.col for t in tiles.values()) == 0
    assert min(t.row for t in tiles.values()) == 0


def test_the_map_keeps_the_country_shape() -> None:
    """North stays north and west stays west."""
    tiles = _tiles()
    assert tiles["vr01"].row < tiles["vr09"].row < tiles["vr24"].row  # Groningen, Utrecht, Z-L
    assert tiles["vr19"].col < tiles["vr20"].col < tiles["vr22"].col  # Zeeland, Brabant W, ZO
    assert tiles["vr15"].col < tiles["vr05"].col  # Haaglanden west of Twente
    assert tiles["vr02"].row < tiles["vr04"].row  # Fryslân north of IJsselland


def test_the_grid_is_compact() -> None:
    """The map is at most 8 columns by 10 rows."""
    tiles = _tiles().values()
    assert max(t.col for t in tiles) < 8
    assert max(t.row for t in tiles) < 10


def test_the_layout_is_deterministic() -> None:
    """Two layouts of the same registry are equal."""
    assert tile_layout(load_registry()) == tile_layout(load_registry())
