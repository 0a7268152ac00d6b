"""Safe XML parsing and small navigation helpers shared by the CAP and EDXL connectors.

The parser never resolves entities, loads a DTD or touches the network, so a hostile message
cannot read local files or make the hub fetch URLs (XXE). Navigation goes by local name with an
optional namespace, because EDXL-DE 1.0 and 2.0 and EDXL-RM differ only in namespaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from lxml import etree

from connectors.cap.errors import XsdViolation
from hub.contracts.xsdtime import parse_xs_datetime
from hub.errors import HubError

__all__ = [
    "XmlMalformed",
    "child",
    "children",
    "local_name",
    "namespace_of",
    "parse_datetime",
    "parse_xml",
    "schema_violations",
    "text_of",
    "texts_of",
]

Element = etree._Element
"""The lxml element type (lxml has no public alias for it)."""


class XmlMalformed(HubError, ValueError):
    """The bytes are not well-formed XML; ``line`` and ``column`` say where parsing stopped."""

    def __init__(self, line: int, column: int, message: str) -> None:
        """Say where (``line``, ``column``) and why (``message``) parsing failed."""
        self.line = line
        self.column = column
        super().__init__(f"not well-formed XML at line {line}, column {column}: {message}")


def parse_xml(data: bytes) -> Element:
    """Return the root element of ``data``; raise :class:`XmlMalformed` if it is not XML.

    A document with a DOCTYPE is refused too: CAP and EDXL need none, and refusing it closes
    the door on entity tricks (XXE, billion laughs) whatever the parser settings.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise XmlMalformed(line, column, str(exc.msg)) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlMalformed(1, 0, "a DOCTYPE is not accepted (entities are never expanded)")
    return root


def schema_violations(root: Element, schema: etree.XMLSchema) -> tuple[XsdViolation, ...]:
    """Return every violation of ``schema`` in the document of ``root`` (empty if valid)."""
    try:
        if schema.validate(root):
            return ()
    except etree.XMLSchemaValidateError as exc:
        return (XsdViolation(root.sourceline or 0, 0, f"cannot be validated: {exc}"),)
    return tuple(
        XsdViolation(e.line, e.column, e.message) for e in schema.error_log.filter_from_errors()
    )


def local_name(element: Element) -> str:
    """Return the tag of ``element`` without its namespace."""
    return etree.QName(element).localname


def namespace_of(element: Element) -> str | None:
    """Return the namespace URI of ``element`` (None if it has none)."""
    return etree.QName(element).namespace


def _elements(element: Element) -> Iterator[Element]:
    return (item for item in element if isinstance(item.tag, str))


def children(element: Element, name: str, ns: str | None = None) -> list[Element]:
    """Return the child elements called ``name`` (in namespace ``ns``; any if None)."""
    return [
        item
        for item in _elements(element)
        if local_name(item) == name and (ns is None or namespace_of(item) == ns)
    ]


def child(element: Element, name: str, ns: str | None = None) -> Element | None:
    """Return the first child element called ``name`` (in ``ns``), or None."""
    found = children(element, name, ns)
    return found[0] if found else None


def text_of(element: Element | None, name: str, ns: str | None = None) -> str | None:
    """Return the stripped text of the first child ``name``; None if absent or empty."""
    if element is None:
        return None
    found = child(element, name, ns)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def texts_of(element: Element, name: str, ns: str | None = None) -> tuple[str, ...]:
    """Return the stripped, non-empty texts of every child ``name``."""
    texts = ((item.text or "").strip() for item in children(element, name, ns))
    return tuple(text for text in texts if text)


def parse_datetime(text: str, field: str = "time") -> datetime:
    """Return the xs:dateTime ``text`` of ``field`` as an aware UTC datetime.

    The hub's one date-time parser (:func:`hub.contracts.xsdtime.parse_xs_datetime`): raises
    :class:`~hub.contracts.xsdtime.DateTimeRefused` (a ``ValueError``) naming ``field`` for a
    malformed time, one without an offset, or one outside what a datetime holds.
    """
    return parse_xs_datetime(text, field)
