"""The CAP 1.2 alert the outbound builders fill in, and how it is written as XML.

:class:`Head` and :class:`Body` hold what a builder decided; :func:`render` writes them in
the element order the CAP 1.2 schema requires. Private to :mod:`connectors.cap`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from connectors.cap.model import CAP_NS
from connectors.cap.tables import load_tables
from connectors.cap.xmlsafe import Element
from hub.contracts.events.envelope import Tlp
from hub.contracts.fields import Location
from hub.contracts.organisations import load_registry

__all__ = ["Body", "Head", "cap_time", "reference", "render", "token"]

_FORBIDDEN_IN_TOKENS = str.maketrans({" ": "_", ",": "_", "<": "_", "&": "_"})


@dataclass(frozen=True, slots=True)
class Head:
    """The ``<alert>`` elements of a message: who, when, which kind, for whom."""

    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    tlp: Tlp
    recipients: tuple[str, ...]
    source: str
    references: str | None
    incidents: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Body:
    """The one ``<info>`` block of a message, with its ``<area>``."""

    language: str
    category: str
    event: str
    response_type: str
    urgency: str
    severity: str
    event_codes: tuple[tuple[str, str], ...]
    onset: datetime | None
    sender_name: str
    headline: str
    description: str
    instruction: str
    parameters: tuple[tuple[str, str], ...]
    regions: tuple[str, ...]
    place: str | None
    location: Location | None
    certainty: str = "Observed"


def cap_time(value: datetime) -> str:
    """Return ``value`` as a CAP time: UTC, whole seconds, offset ``-00:00`` (CAP's UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def token(text: str) -> str:
    """Return ``text`` without the characters CAP forbids in identifiers (space , < &)."""
    return text.translate(_FORBIDDEN_IN_TOKENS)


def reference(sender: str, identifier: str, sent: datetime) -> str:
    """Return the CAP reference ``sender,identifier,sent`` of an earlier alert."""
    return f"{sender},{identifier},{cap_time(sent)}"


def _add(parent: Element, name: str, text: str | None = None) -> Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _add_pairs(parent: Element, name: str, pairs: Sequence[tuple[str, str]]) -> None:
    for value_name, value in pairs:
        pair = _add(parent, name)
        _add(pair, "valueName", value_name)
        _add(pair, "value", value)


def render(head: Head, body: Body) -> bytes:
    """Return the alert of ``head`` and ``body`` as UTF-8 XML bytes with a declaration."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _add_head(root, head)
    _add_info(_add(root, "info"), body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _add_head(root: Element, head: Head) -> None:
    for name, text in (
        ("identifier", head.identifier),
        ("sender", head.sender),
        ("sent", cap_time(head.sent)),
        ("status", "Actual"),
        ("msgType", head.msg_type),
        ("source", head.source),
    ):
        _add(root, name, text)
    if head.tlp is Tlp.CLEAR:
        _add(root, "scope", "Public")
    elif head.tlp is Tlp.RED:
        _add(root, "scope", "Private")
    else:
        _add(root, "scope", "Restricted")
        _add(root, "restriction", f"TLP:{head.tlp.value.replace('_', '+')}")
    if head.recipients:
        _add(root, "addresses", " ".join(head.recipients))
    if head.note:
        _add(root, "note", head.note)
    if head.references:
        _add(root, "references", head.references)
    _add(root, "incidents", head.incidents)


def _add_info(info: Element, body: Body) -> None:
    for name, text in (
        ("language", body.language),
        ("category", body.category),
        ("event", body.event),
        ("responseType", body.response_type),
        ("urgency", body.urgency),
        ("severity", body.severity),
        ("certainty", body.certainty),
    ):
        _add(info, name, text)
    _add_pairs(info, "eventCode", body.event_codes)
    if body.onset is not None:
        _add(info, "onset", cap_time(body.onset))
    _add(info, "senderName", body.sender_name)
    _add(info, "headline", body.headline)
    for name, text in (("description", body.description), ("instruction", body.instruction)):
        if text:
            _add(info, name, text)
    _add_pairs(info, "parameter", body.parameters)
    if body.regions:
        _add_area(_add(info, "area"), body)


def _add_area(area: Element, body: Body) -> None:
    registry, tables = load_registry(), load_tables()
    names = ", ".join(registry.get(region).name for region in body.regions)
    _add(area, "areaDesc", body.place or names)
    location = body.location
    for polygon in location.polygons if location else ():  # CAP has no holes: outer rings
        _add(area, "polygon", " ".join(f"{p.lat},{p.lon}" for p in polygon.outer))
    if location is not None and location.point is not None:  # first: the importer's point
        _add(area, "circle", f"{location.point.lat},{location.point.lon} 0")
    if location is not None and location.circle is not None:
        centre = location.circle.centre
        _add(area, "circle", f"{centre.lat},{centre.lon} {location.circle.radius_km}")
    code_name = tables.region_geocode_names[0]
    _add_pairs(area, "geocode", [(code_name, region) for region in body.regions])
