"""EDXL-DE envelopes: unwrap 1.0 and 2.0 into metadata and payloads; wrap hub outputs as 2.0.

Unwrapping reads the routing metadata (distribution id, sender, times, status, kind, explicit
addresses) and every content object: each element inside ``embeddedXMLContent`` becomes one
XML payload (a standalone document, namespaces kept), each ``nonXMLContent`` one data payload
(``contentData`` base64-decoded). EDXL-DE 1.0's ``distributionType`` is read as the kind.

Wrapping makes an EDXL-DE 2.0 distribution of one hub event: distribution id = event id,
sender = ``hub``, explicit addresses (scheme ``kcr``) = the recipients, the event type and TLP
as keywords, then the XML payloads given (say, a CAP alert) and the CloudEvents JSON of the
event itself as ``application/cloudevents+json``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from lxml import etree

from connectors.cap.outbound import cap_time
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
from hub.contracts.events.catalogue import to_cloudevent_json
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.xsdtime import DateTimeRefused

__all__ = [
    "CLOUDEVENTS_JSON",
    "DE_1_0_NS",
    "DE_2_0_NS",
    "EdxlEnvelope",
    "EdxlMessage",
    "EdxlPayload",
    "unwrap_edxl",
    "wrap_edxl",
]

DE_1_0_NS = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
DE_2_0_NS = "urn:oasis:names:tc:emergency:EDXL:DE:2.0"
CT_NS = "urn:oasis:names:tc:emergency:edxl:ct:1.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
CLOUDEVENTS_JSON = "application/cloudevents+json"
"""MIME type of the hub event carried in every envelope the hub wraps."""

_VERSIONS: Mapping[str, str] = MappingProxyType({DE_1_0_NS: "1.0", DE_2_0_NS: "2.0"})
_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "updated": "Update",
        "closed": "Cancel",
        "resolved": "Cancel",
        "withdrawn": "Cancel",
        "requested": "Request",
        "offered": "Response",
        "accepted": "Response",
        "acknowledged": "Ack",
    }
)
"""distributionKind by event verb; every other verb is a ``Report``."""


@dataclass(frozen=True, slots=True)
class EdxlEnvelope:
    """The routing metadata of an EDXL-DE distribution."""

    version: str
    distribution_id: str
    sender_id: str
    sent_at: datetime
    status: str
    kind: str
    expires_at: datetime | None = None
    recipients: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EdxlPayload:
    """One payload of a content object: embedded XML or (decoded) non-XML data."""

    index: int
    line: int | None
    xml: bytes | None = None
    root: str | None = None
    mime_type: str | None = None
    data: bytes | None = None
    uri: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class EdxlMessage:
    """An unwrapped EDXL-DE distribution."""

    envelope: EdxlEnvelope
    payloads: tuple[EdxlPayload, ...]


def unwrap_edxl(xml: bytes) -> EdxlMessage:
    """Return the envelope metadata and payloads of the EDXL-DE 1.0 or 2.0 message ``xml``.

    Raises :class:`EdxlRefused` (``xml_malformed``, ``not_edxl``, ``envelope_invalid``).
    """
    try:
        root = parse_xml(xml)
    except XmlMalformed as exc:
        raise EdxlRefused("xml_malformed", exc.message) from None
    ns = namespace_of(root) or ""
    if ns not in _VERSIONS or local_name(root).casefold() != "edxldistribution":
        raise EdxlRefused(
            "not_edxl",
            f"root element {etree.QName(root).text} is not an EDXL-DE 1.0 or 2.0 distribution",
            fix=f"send an edxlDistribution in namespace {DE_2_0_NS}.",
        )
    return EdxlMessage(_envelope(root, ns), _payloads(root, ns))


def _need(root: Element, name: str, ns: str) -> str:
    text = text_of(root, name, ns)
    if text is None:
        raise EdxlRefused("envelope_invalid", f"<{name}> is missing or empty")
    return text


def _time(name: str, text: str) -> datetime:
    try:
        return parse_datetime(text, f"<{name}>")
    except DateTimeRefused as exc:
        raise EdxlRefused("envelope_invalid", exc.message, fix=exc.fix) from None


def _envelope(root: Element, ns: str) -> EdxlEnvelope:
    version = _VERSIONS[ns]
    descriptor = child(root, "descriptor", ns) if version == "2.0" else root
    addresses = children(descriptor, "explicitAddress", ns) if descriptor is not None else []
    keywords = children(descriptor, "keyword", ns) if descriptor is not None else []
    expires = text_of(root, "dateTimeExpires", ns)
    return EdxlEnvelope(
        version=version,
        distribution_id=_need(root, "distributionID", ns),
        sender_id=_need(root, "senderID", ns),
        sent_at=_time("dateTimeSent", _need(root, "dateTimeSent", ns)),
        status=_need(root, "distributionStatus", ns),
        kind=_need(root, "distributionKind" if version == "2.0" else "distributionType", ns),
        expires_at=_time("dateTimeExpires", expires) if expires else None,
        recipients=tuple(
            (value.text or "").strip()
            for address in addresses
            for value in children(address, "explicitAddressValue", ns)
            if (value.text or "").strip()
        ),
        keywords=tuple(_keyword(keyword) for keyword in keywords),
    )


def _keyword(keyword: Element) -> tuple[str, str]:
    """Return (value list URI, value) of a keyword (ct: in 2.0, plain in 1.0)."""
    return (
        text_of(keyword, "ValueListURI") or text_of(keyword, "valueListUrn") or "",
        text_of(keyword, "Value") or text_of(keyword, "value") or "",
    )


def _payloads(root: Element, ns: str) -> tuple[EdxlPayload, ...]:
    holder = child(root, "content", ns) if _VERSIONS[ns] == "2.0" else root
    objects = children(holder, "contentObject", ns) if holder is not None else []
    payloads: list[EdxlPayload] = []
    for obj in objects:
        payloads += _object_payloads(obj, ns, start=len(payloads) + 1)
    return tuple(payloads)


def _object_payloads(obj: Element, ns: str, *, start: int) -> list[EdxlPayload]:
    description = text_of(obj, "contentDescription", ns) or text_of(
        child(obj, "contentDescriptor", ns), "contentDescription", ns
    )
    holders = [
        holder
        for xml_holder in children(obj, "contentXML", ns) + children(obj, "xmlContent", ns)
        for holder in children(xml_holder, "embeddedXMLContent", ns)
    ]
    embedded = [element for holder in holders for element in holder if isinstance(element.tag, str)]
    payloads = [
        EdxlPayload(
            index=start + n,
            line=element.sourceline,
            xml=etree.tostring(element, encoding="UTF-8", xml_declaration=True, with_tail=False),
            root=str(element.tag),
            description=description,
        )
        for n, element in enumerate(embedded)
    ]
    non_xml = child(obj, "nonXMLContent", ns)
    if non_xml is not None:
        payloads.append(_data_payload(non_xml, ns, start + len(payloads), description))
    return payloads


def _data_payload(non_xml: Element, ns: str, index: int, description: str | None) -> EdxlPayload:
    encoded = text_of(non_xml, "contentData", ns)
    try:
        data = base64.b64decode(encoded, validate=True) if encoded else None
    except (binascii.Error, ValueError):
        raise EdxlRefused(
            "envelope_invalid", f"contentData of content object {index} is not base64"
        ) from None
    return EdxlPayload(
        index=index,
        line=non_xml.sourceline,
        mime_type=text_of(non_xml, "mimeType", ns),
        data=data,
        uri=text_of(non_xml, "uri", ns),
        description=description,
    )


def _add(parent: Element, name: str, text: str | None = None, *, ns: str = DE_2_0_NS) -> Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = text
    return element


def _resource(parent: Element, name: str) -> Element:
    element = _add(parent, name)
    element.set(f"{{{XLINK_NS}}}type", "resource")
    return element


def wrap_edxl(
    event: EventEnvelope,
    *,
    payloads: Sequence[bytes] = (),
    recipients: Sequence[str] | None = None,
    sender_id: str = "hub",
    expires_after: timedelta = timedelta(days=1),
) -> bytes:
    """Return ``event`` wrapped in an EDXL-DE 2.0 distribution (UTF-8 XML bytes).

    ``payloads`` are XML documents embedded first (e.g. :func:`connectors.cap.signal_to_cap`);
    the event's CloudEvents JSON always follows. ``recipients`` overrides the event's own as
    explicit addresses (e.g. the outbox organisation). ``dateTimeExpires`` is the event time
    plus ``expires_after``.
    """
    nsmap = {None: DE_2_0_NS, "xlink": XLINK_NS, "ct": CT_NS}
    root = etree.Element(f"{{{DE_2_0_NS}}}edxlDistribution", nsmap=nsmap)
    root.set(f"{{{XLINK_NS}}}type", "extended")
    for name, text in (
        ("distributionID", event.id),
        ("senderID", sender_id),
        ("dateTimeSent", cap_time(event.time)),
        ("dateTimeExpires", cap_time(event.time + expires_after)),
        ("distributionStatus", "Actual"),
        ("distributionKind", _KINDS.get(event.verb, "Report")),
    ):
        _add(root, name, text)
    _add_descriptor(_resource(root, "descriptor"), event, recipients)
    content = _resource(root, "content")
    for payload in payloads:
        holder = _add(_add(_resource(content, "contentObject"), "contentXML"), "embeddedXMLContent")
        holder.append(parse_xml(payload))
    _add_event_json(_resource(content, "contentObject"), event)
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _add_descriptor(
    descriptor: Element, event: EventEnvelope, recipients: Sequence[str] | None
) -> None:
    for uri, value in (("urn:kcr:event-type", event.type), ("urn:kcr:tlp", event.tlp.value)):
        keyword = _add(descriptor, "keyword")
        _add(keyword, "ValueListURI", uri, ns=CT_NS)
        _add(keyword, "Value", value, ns=CT_NS)
    addressees = tuple(event.recipients if recipients is None else recipients)
    if addressees:
        address = _add(descriptor, "explicitAddress")
        _add(address, "explicitAddressScheme", "kcr")
        for addressee in addressees:
            _add(address, "explicitAddressValue", addressee)


def _add_event_json(obj: Element, event: EventEnvelope) -> None:
    data = json.dumps(to_cloudevent_json(event), ensure_ascii=False).encode()
    descriptor = _add(obj, "contentDescriptor")
    _add(descriptor, "contentDescription", f"KCR hub event {event.type}")
    non_xml = _add(obj, "nonXMLContent")
    _add(non_xml, "mimeType", CLOUDEVENTS_JSON)
    _add(non_xml, "size", str(len(data)))
    _add(non_xml, "contentData", base64.b64encode(data).decode("ascii"))
