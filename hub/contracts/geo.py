"""Points on the earth (WGS84) and the great-circle distance between them."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["EARTH_RADIUS_KM", "GeoPoint", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088
"""Mean earth radius (IUGG) used for great-circle distances."""

Latitude = Annotated[float, Field(ge=-90.0, le=90.0, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, allow_inf_nan=False)]


class GeoPoint(BaseModel):
    """A point in WGS84 decimal degrees."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: Latitude = Field(description="Latitude in decimal degrees (WGS84), -90 to 90.")
    lon: Longitude = Field(description="Longitude in decimal degrees (WGS84), -180 to 180.")


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Return the great-circle distance between two points in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
