"""EDXL-RM 1.0 in: ``RequestResource`` → ``assistance.requested``, ``CommitResource`` → offers.

Each ``ResourceInformation`` item becomes one event, because a hub request is for one resource
type; an item that cannot be mapped is reported as an :class:`RmItemError` and the others still
go through. Elements are found by local name, so the RM message and common-type namespaces (and
their prefixes) may vary.

- Ids: request id ``rm-<MessageID>-<ResourceInfoElementID>``; a commitment answers the request
  ``rm-<OriginatingMessageID>-<PrecedingResourceInfoElementID>`` (its own element id if it has
  no preceding one), its offer id is ``rm-<MessageID>-<ResourceInfoElementID>``. Event ids are
  UUID 5 of source, message id and element id, so a re-import is a duplicate.
- Resource type: ``Resource/TypeStructure/Value``, ``Resource/Name`` or a ``Keyword/Value``,
  looked up in ``data/rm_resource_types.json`` (hub codes match themselves).
- Quantity: ``AssignmentInformation/Quantity`` (``MeasuredQuantity/Amount``, else the
  number a ``QuantityText`` starts with, as in ``12 pompen``, else the text of ``Quantity``),
  a whole number above zero.
- Deadline: the ``RequestedArrival`` schedule's ``DateTime`` is ``needed_by`` (required); a
  commitment's ``EstimatedDeparture`` (else ``BeginAvailable``) is ``available_from``.
- Region of a request: the region whose boundary holds the point of the
  ``ReportTo``/``RequestedArrival`` location (:mod:`hub.geo`; on inland water the nearest
  boundary), else the requester's own region.
- A commitment whose ``ResponseType`` is ``Decline`` offers nothing: reported as ``declined``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, uuid5

from lxml import etree
from pydantic import ValidationError

from connectors.cap.xmlsafe import (
    Element,
    XmlMalformed,
    child,
    children,
    local_name,
    namespace_of,
    parse_datetime,
    parse_xml,
    text_of,
)
from connectors.edxl.errors import EdxlRefused
from connectors.resource_tables import load_resource_table
from hub.contracts.events.assistance import AssistanceOffered, AssistanceRequested
from hub.contracts.events.envelope import Tlp
from hub.contracts.geo import GeoPoint
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.contracts.xsdtime import DateTimeRefused
from hub.geo import load_boundaries, point_shape

__all__ = [
    "RM_NS",
    "AssistanceEvent",
    "RmImport",
    "RmItemError",
    "resource_type_for",
    "rm_to_events",
]

RM_NS = "urn:oasis:names:tc:emergency:EDXL:RM:1.0"
"""Prefix of the EDXL-RM 1.0 namespaces (messages use ``<RM_NS>:msg``)."""

AssistanceEvent = AssistanceRequested | AssistanceOffered
"""The events an EDXL-RM message maps to."""

_ID_MAX = 200
_LEADING_NUMBER = re.compile(r"(\d{1,15})(?=\s|$)", re.ASCII)
"""A ``QuantityText`` count: digits without separators (``1.000`` is 1000 in Dutch, 1 in
English, so it is refused), then a space or the end."""
_E = TypeVar("_E", AssistanceRequested, AssistanceOffered)


@dataclass(frozen=True, slots=True)
class RmItemError:
    """Why one ``ResourceInformation`` item did not become an event."""

    element_id: str
    reason: str
    message: str

    def __str__(self) -> str:
        """Return ``item <id>: <message> (<reason>)``."""
        return f"item {self.element_id}: {self.message} ({self.reason})"


@dataclass(frozen=True, slots=True)
class RmImport:
    """The events of an EDXL-RM message and the items that could not be mapped."""

    message_id: str
    events: tuple[AssistanceEvent, ...]
    errors: tuple[RmItemError, ...]


class _ItemRefused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class _Context:
    source_org: str
    registry: OrganisationRegistry
    tlp: Tlp
    message_id: str
    sent: datetime
    description: str
    incident_id: str | None
    originating_id: str | None


def _normal(name: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", name).casefold().split())


@cache
def _resource_table() -> Mapping[str, str]:
    return load_resource_table(
        "connectors.edxl", "rm_resource_types.json", "resource_types", _normal
    )


def resource_type_for(name: str) -> str | None:
    """Return the hub resource type that the RM resource ``name`` means, or None."""
    return _resource_table().get(_normal(name))


def rm_to_events(
    xml: bytes,
    *,
    source_org: str,
    registry: OrganisationRegistry | None = None,
    tlp: Tlp = Tlp.GREEN,
) -> RmImport:
    """Map the EDXL-RM ``RequestResource`` or ``CommitResource`` ``xml`` from ``source_org``.

    RM has no TLP, so every event gets ``tlp`` (GREEN by default). Raises :class:`EdxlRefused`
    (``xml_malformed``, ``rm_unsupported``, ``rm_invalid``) when the message as a whole cannot
    be read; item problems are returned in :attr:`RmImport.errors`.
    """
    registry = registry if registry is not None else load_registry()
    registry.get(source_org)
    try:
        root = parse_xml(xml)
    except XmlMalformed as exc:
        raise EdxlRefused("xml_malformed", exc.message) from None
    kind = local_name(root)
    if not (namespace_of(root) or "").startswith(RM_NS) or kind not in _MAPPERS:
        raise EdxlRefused(
            "rm_unsupported",
            f"{etree.QName(root).text} is not an EDXL-RM RequestResource or CommitResource",
        )
    ctx = _context(root, source_org, registry, tlp)
    events: list[AssistanceEvent] = []
    errors: list[RmItemError] = []
    for number, item in enumerate(children(root, "ResourceInformation"), start=1):
        element_id = _text(item, "ResourceInfoElementID")
        try:
            if element_id is None:
                raise _ItemRefused("rm_invalid", f"item {number} has no <ResourceInfoElementID>")
            events.append(_MAPPERS[kind](item, element_id, ctx))
        except _ItemRefused as exc:
            errors.append(RmItemError(element_id or f"#{number}", exc.reason, exc.message))
    return RmImport(ctx.message_id, tuple(events), tuple(errors))


def _text(element: Element | None, *path: str) -> str | None:
    """Return the text at the child ``path`` (local names, any namespace), or None."""
    for name in path[:-1]:
        element = child(element, name) if element is not None else None
    return text_of(element, path[-1]) if element is not None else None


def _context(root: Element, source_org: str, registry: OrganisationRegistry, tlp: Tlp) -> _Context:
    message_id, sent = _text(root, "MessageID"), _text(root, "SentDateTime")
    if not message_id or not sent:
        raise EdxlRefused("rm_invalid", "<MessageID> and <SentDateTime> are required")
    try:
        sent_at = parse_datetime(sent, "<SentDateTime>")
    except DateTimeRefused as exc:
        raise EdxlRefused("rm_invalid", exc.message, fix=exc.fix) from None
    incident = next((text_of(i, "IncidentID") for i in children(root, "IncidentInformation")), None)
    return _Context(
        source_org=source_org,
        registry=registry,
        tlp=tlp,
        message_id=message_id,
        sent=sent_at,
        description=_text(root, "MessageDescription") or "",
        incident_id=incident,
        originating_id=_text(root, "OriginatingMessageID"),
    )


def _rm_id(message_id: str, element_id: str) -> str:
    text = re.sub(r"\s+", "_", f"rm-{message_id}-{element_id}")
    if len(text) > _ID_MAX:
        raise _ItemRefused("rm_invalid", f"id {text[:40]}… is longer than {_ID_MAX} characters")
    return text


def _resource_type(item: Element) -> str:
    resource = child(item, "Resource")
    names = [_text(resource, "TypeStructure", "Value"), _text(resource, "Name")]
    names += [
        text_of(k, "Value") for k in (children(resource, "Keyword") if resource is not None else [])
    ]
    given = [name for name in names if name]
    for name in given:
        code = resource_type_for(name)
        if code:
            return code
    raise _ItemRefused(
        "resource_type_unmapped",
        f"no hub resource type for {', '.join(map(repr, given)) or 'an unnamed resource'}; "
        "add it to connectors/edxl/data/rm_resource_types.json or use a hub code",
    )


def _quantity(item: Element) -> int:
    assignment = child(item, "AssignmentInformation")
    quantity = child(assignment, "Quantity") if assignment is not None else None
    if quantity is None:
        raise _ItemRefused("quantity_invalid", "AssignmentInformation/Quantity is missing")
    amount = next((e for e in quantity.iter() if _is(e, "Amount")), None)
    if amount is None:
        worded = next((e for e in quantity.iter() if _is(e, "QuantityText")), None)
        if worded is not None:
            return _quantity_text((worded.text or "").strip())
    text = ((amount if amount is not None else quantity).text or "").strip()
    return _whole(text, text)


def _quantity_text(text: str) -> int:
    """The whole number a ``QuantityText`` starts with (``12``, ``12 pompen``)."""
    found = _LEADING_NUMBER.match(text)
    if found is None:
        raise _ItemRefused(
            "quantity_invalid",
            f"QuantityText {text[:80]!r} does not start with a whole number; write digits "
            "without separators, e.g. '12 pumps', or give MeasuredQuantity/Amount",
        )
    return _whole(found.group(1), text)


def _whole(number: str, text: str) -> int:
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise _ItemRefused("quantity_invalid", f"quantity {text!r} is not a number") from None
    if not value.is_finite() or value != value.to_integral_value() or value <= 0:
        raise _ItemRefused("quantity_invalid", f"quantity {text} is not a whole number above 0")
    return int(value)


def _is(element: Any, name: str) -> bool:
    return isinstance(element.tag, str) and local_name(element) == name


def _schedule(item: Element, *types: str) -> tuple[datetime | None, Element | None]:
    """Return (time, location) of the first schedule entry of one of ``types``, in that order."""
    entries = {_text(s, "ScheduleType"): s for s in reversed(children(item, "ScheduleInformation"))}
    for schedule_type in types:
        entry = entries.get(schedule_type)
        if entry is not None:
            when = _text(entry, "DateTime")
            try:
                field = f"<{schedule_type}> <DateTime>"
                return (parse_datetime(when, field) if when else None), child(entry, "Location")
            except DateTimeRefused as exc:
                raise _ItemRefused("schedule_invalid", f"{exc.message}; {exc.fix}") from None
    return None, None


def _point(location: Element | None) -> GeoPoint | None:
    if location is None:
        return None
    for element in location.iter():
        text = (element.text or "").strip() if isinstance(element.tag, str) else ""
        try:
            if local_name(element).casefold() == "circle" and text:
                lat, lon = text.split()[0].split(",")
                return GeoPoint(lat=float(lat), lon=float(lon))
            if local_name(element) == "pos" and text:
                lat, lon = text.split()[:2]
                return GeoPoint(lat=float(lat), lon=float(lon))
        except (ValueError, ValidationError):
            raise _ItemRefused("location_invalid", f"bad coordinates {text!r}") from None
    return None


def _location(location: Element | None) -> dict[str, Any] | None:
    place = _text(location, "LocationDescription")
    point = _point(location)
    if place is None and point is None:
        return None
    return {"place": place[:200] if place else None, "point": point}


def _region(point: GeoPoint | None, ctx: _Context) -> str:
    found = load_boundaries().overlapping(point_shape(point)) if point is not None else ()
    region = next((r for r in found if ctx.registry.is_region(r)), None)
    region = region or (ctx.source_org if ctx.registry.is_region(ctx.source_org) else None)
    if region is None:
        raise _ItemRefused(
            "region_unmapped",
            "the report-to location lies in no safety region and the requester is not a region",
        )
    return region


def _note(item: Element, ctx: _Context) -> str:
    parts = (
        ctx.description,
        _text(item, "Resource", "Description"),
        _text(item, "AssignmentInformation", "AnticipatedFunction"),
        _text(item, "AssignmentInformation", "AssignmentInstructions"),
    )
    return "\n".join(p for p in parts if p)[:10_000]


def _envelope(ctx: _Context, element_id: str, subject: str, verb: str) -> dict[str, Any]:
    name = f"urn:kcr:rm:{ctx.source_org}:{verb}:{ctx.message_id}:{element_id}"
    return {
        "id": str(uuid5(NAMESPACE_URL, name)),
        "source": ctx.source_org,
        "subject": subject,
        "time": ctx.sent,
        "tlp": ctx.tlp,
    }


def _requested(item: Element, element_id: str, ctx: _Context) -> AssistanceRequested:
    needed_by, arrival = _schedule(item, "RequestedArrival")
    if needed_by is None:
        raise _ItemRefused(
            "deadline_missing", "a request needs a RequestedArrival schedule with a DateTime"
        )
    _, report_to = _schedule(item, "ReportTo")
    location = report_to if report_to is not None else arrival
    request_id = _rm_id(ctx.message_id, element_id)
    data = {
        "request_id": request_id,
        "incident_id": ctx.incident_id,
        "resource_type": _resource_type(item),
        "quantity": _quantity(item),
        "region": _region(_point(location), ctx),
        "location": _location(location),
        "needed_by": needed_by,
        "note": _note(item, ctx),
    }
    fields = _envelope(ctx, element_id, request_id, "requested") | {"data": data}
    return _build(AssistanceRequested, fields)


def _offered(item: Element, element_id: str, ctx: _Context) -> AssistanceOffered:
    if not ctx.originating_id:
        raise _ItemRefused("rm_invalid", "a CommitResource needs <OriginatingMessageID>")
    response = child(item, "ResponseInformation")
    if (_text(response, "ResponseType") or "").casefold() == "decline":
        raise _ItemRefused("declined", "the commitment declines the request; nothing offered")
    preceding = _text(response, "PrecedingResourceInfoElementID") or element_id
    request_id = _rm_id(ctx.originating_id, preceding)
    available_from, _ = _schedule(item, "EstimatedDeparture", "BeginAvailable")
    data = {
        "request_id": request_id,
        "offer_id": _rm_id(ctx.message_id, element_id),
        "resource_type": _resource_type(item),
        "quantity": _quantity(item),
        "available_from": available_from,
        "note": _note(item, ctx),
    }
    fields = _envelope(ctx, element_id, request_id, "offered") | {"data": data}
    return _build(AssistanceOffered, fields)


def _build(model: type[_E], fields: dict[str, Any]) -> _E:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise _ItemRefused(
            "invalid_event", f"the mapped {model.declared_type()} is invalid: {problems}"
        ) from None


_MAPPERS: Mapping[str, Callable[[Element, str, _Context], AssistanceEvent]] = MappingProxyType(
    {"RequestResource": _requested, "CommitResource": _offered}
)
