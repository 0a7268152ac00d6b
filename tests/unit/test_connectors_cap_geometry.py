"""CAP imports keep the alert's geometry in the incident's location (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.cap import cap_to_events, incident_to_cap
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.incident import IncidentReported
from hub.contracts.fields import Location
from hub.contracts.geo import GeoCircle, GeoPoint
from tests.unit.test_connectors_cap import _alert

POLYGON = "51.44,4.02 51.45,4.02 51.45,4.04 51.44,4.04 51.44,4.02"
CIRCLE = "51.45,4.03 2.5"


def _location(area: str) -> Location:
    event = cap_to_events(_alert(area=area), source_org="vr19").event
    assert isinstance(event, IncidentReported)
    assert event.data.location is not None
    return event.data.location


def test_a_polygon_is_kept_as_the_locations_area() -> None:
    """The alert's polygon is the location's polygon, point by point."""
    location = _location(f"\n      <polygon>{POLYGON}</polygon>")
    [polygon] = location.polygons
    assert polygon.outer[0] == GeoPoint(lat=51.44, lon=4.02)
    assert len(polygon.outer) == 5
    assert location.circle is None


def test_a_single_circle_is_kept_as_a_circle() -> None:
    """One circle with a radius stays a circle (centre and radius in km)."""
    location = _location(f"\n      <circle>{CIRCLE}</circle>")
    assert location.circle == GeoCircle(centre=GeoPoint(lat=51.45, lon=4.03), radius_km=2.5)
    assert location.polygons == []


def test_a_circle_beside_a_polygon_becomes_a_polygon_of_32_points() -> None:
    """A location holds polygons or one circle: the circle joins as a 32-point ring."""
    area = f"\n      <polygon>{POLYGON}</polygon>\n      <circle>{CIRCLE}</circle>"
    location = _location(area)
    assert [len(p.outer) for p in location.polygons] == [5, 33]
    assert location.circle is None


def test_a_circle_of_radius_zero_is_only_a_point() -> None:
    """Radius 0 marks a point (the hub's own CAP writes its point so): no area."""
    location = _location("\n      <circle>51.45,4.03 0</circle>")
    assert location.point == GeoPoint(lat=51.45, lon=4.03)
    assert (location.polygons, location.circle) == ([], None)


@pytest.mark.parametrize(
    "area",
    [
        {"circle": {"centre": {"lat": 51.45, "lon": 4.03}, "radius_km": 2.5}},
        {"polygons": [{"outer": [{"lat": 51.44, "lon": 4.02}, {"lat": 51.45, "lon": 4.02},
                                 {"lat": 51.45, "lon": 4.04}]}]},
    ],
)  # fmt: skip
def test_an_area_goes_out_and_comes_back_as_it_was(
    area: dict[str, Any], example: Callable[[str], dict[str, Any]]
) -> None:
    """An incident's area written as CAP by the hub imports as the same location."""
    document = example("nl.kcr.incident.reported")
    document["data"]["location"] = {"place": "Kruiningen", "point": {"lat": 51.45, "lon": 4.03}}
    document["data"]["location"] |= area
    reported = parse_event(document)
    assert isinstance(reported, IncidentReported)
    back = cap_to_events(incident_to_cap(reported), source_org="vr19").event
    assert isinstance(back, IncidentReported)
    assert back.data.location == reported.data.location
