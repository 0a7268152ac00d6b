"""A CAP 1.2 alert read into plain, typed values (after schema validation).

Only what the mapping to hub events needs is read. Times become aware datetimes, polygons and
circles become :class:`~hub.contracts.geo.GeoPoint` values, references become
:class:`CapRef` triplets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from connectors.cap.errors import CapRefused
from connectors.cap.xmlsafe import Element, children, parse_datetime, text_of, texts_of
from hub.contracts.geo import GeoPoint
from hub.contracts.xsdtime import DateTimeRefused

__all__ = ["CAP_NS", "CapAlert", "CapArea", "CapInfo", "CapRef", "read_alert"]

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
"""The namespace of CAP 1.2."""

_ADDRESS = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True, slots=True)
class CapRef:
    """A reference to an earlier CAP message: ``sender,identifier,sent``."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True, slots=True)
class CapArea:
    """One ``<area>``: its description and the geometry or codes that place it."""

    description: str
    polygons: tuple[tuple[GeoPoint, ...], ...] = ()
    circles: tuple[tuple[GeoPoint, float], ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CapInfo:
    """One ``<info>`` block (what the mapping reads of it)."""

    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    response_types: tuple[str, ...] = ()
    event_codes: tuple[tuple[str, str], ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[CapArea, ...] = ()


@dataclass(frozen=True, slots=True)
class CapAlert:
    """A CAP ``<alert>`` (what the mapping reads of it)."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    restriction: str | None = None
    addresses: tuple[str, ...] = ()
    note: str | None = None
    references: tuple[CapRef, ...] = ()
    incidents: tuple[str, ...] = ()
    infos: tuple[CapInfo, ...] = ()


def _required(element: Element, name: str) -> str:
    """Return the text of a child the schema requires (empty string if blank)."""
    return text_of(element, name, CAP_NS) or ""


def _time(element: Element, name: str, identifier: str) -> datetime | None:
    """The time in child ``name`` (None if absent); ``time_invalid`` if it cannot be held."""
    text = text_of(element, name, CAP_NS)
    if not text:
        return None
    try:
        return parse_datetime(text, f"<{name}>")
    except DateTimeRefused as exc:
        raise CapRefused("time_invalid", exc.message, identifier=identifier, fix=exc.fix) from None


def read_alert(root: Element) -> CapAlert:
    """Return the schema-valid CAP ``<alert>`` at ``root`` as a :class:`CapAlert`.

    Raises :class:`CapRefused` (``area_invalid``, ``references_invalid``) for the free-text
    fields whose syntax the schema does not check.
    """
    identifier = _required(root, "identifier")
    addresses = text_of(root, "addresses", CAP_NS) or ""
    return CapAlert(
        identifier=identifier,
        sender=_required(root, "sender"),
        sent=_time(root, "sent", identifier) or _no_sent(identifier),
        status=_required(root, "status"),
        msg_type=_required(root, "msgType"),
        scope=_required(root, "scope"),
        restriction=text_of(root, "restriction", CAP_NS),
        addresses=tuple(m.group(1) or m.group(2) for m in _ADDRESS.finditer(addresses)),
        note=text_of(root, "note", CAP_NS),
        references=_references(text_of(root, "references", CAP_NS) or "", identifier),
        incidents=tuple((text_of(root, "incidents", CAP_NS) or "").split()),
        infos=tuple(_info(item, identifier) for item in children(root, "info", CAP_NS)),
    )


def _no_sent(identifier: str) -> datetime:
    """Refuse an alert whose (schema-required) ``<sent>`` is empty."""
    raise CapRefused("time_invalid", "<sent> is empty", identifier=identifier)


def _references(text: str, identifier: str) -> tuple[CapRef, ...]:
    refs: list[CapRef] = []
    for triplet in text.split():
        parts = triplet.split(",")
        try:
            if len(parts) != 3:
                raise ValueError("expected three comma-separated parts")
            refs.append(CapRef(parts[0], parts[1], parse_datetime(parts[2], "sent")))
        except ValueError as exc:
            raise CapRefused(
                "references_invalid",
                f"reference {triplet!r} is not sender,identifier,sent: {exc}",
                identifier=identifier,
            ) from None
    return tuple(refs)


def _pairs(element: Element, name: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_required(item, "valueName"), _required(item, "value"))
        for item in children(element, name, CAP_NS)
    )


def _info(element: Element, identifier: str) -> CapInfo:
    return CapInfo(
        language=text_of(element, "language", CAP_NS) or "en-US",
        categories=texts_of(element, "category", CAP_NS),
        event=_required(element, "event"),
        urgency=_required(element, "urgency"),
        severity=_required(element, "severity"),
        certainty=_required(element, "certainty"),
        response_types=texts_of(element, "responseType", CAP_NS),
        event_codes=_pairs(element, "eventCode"),
        effective=_time(element, "effective", identifier),
        onset=_time(element, "onset", identifier),
        headline=text_of(element, "headline", CAP_NS),
        description=text_of(element, "description", CAP_NS),
        instruction=text_of(element, "instruction", CAP_NS),
        parameters=_pairs(element, "parameter"),
        areas=tuple(_area(item, identifier) for item in children(element, "area", CAP_NS)),
    )


def _area(element: Element, identifier: str) -> CapArea:
    try:
        polygons = tuple(_points(text) for text in texts_of(element, "polygon", CAP_NS))
        circles = tuple(_circle(text) for text in texts_of(element, "circle", CAP_NS))
    except (ValueError, ValidationError) as exc:
        raise CapRefused(
            "area_invalid",
            f"bad geometry in area {_required(element, 'areaDesc')!r}: {exc}",
            identifier=identifier,
            fix="write polygons as 'lat,lon lat,lon ...' and circles as 'lat,lon radius_km'.",
        ) from None
    return CapArea(
        description=_required(element, "areaDesc"),
        polygons=polygons,
        circles=circles,
        geocodes=_pairs(element, "geocode"),
    )


def _point(text: str) -> GeoPoint:
    lat, lon = text.split(",")
    return GeoPoint(lat=float(lat), lon=float(lon))


def _points(text: str) -> tuple[GeoPoint, ...]:
    points = tuple(_point(pair) for pair in text.split())
    if len(points) < 4 or points[0] != points[-1]:
        raise ValueError("a polygon needs at least 4 points and must end where it starts")
    return points


def _circle(text: str) -> tuple[GeoPoint, float]:
    centre, radius = text.split()
    radius_km = float(radius)
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError(f"circle radius {radius!r} is not a distance in km")
    return _point(centre), radius_km
