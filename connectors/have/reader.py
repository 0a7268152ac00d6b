"""Read an EDXL-HAVE document into facilities and their bed counts, checking its structure.

EDXL-HAVE 2.0 (``urn:oasis:names:tc:emergency:edxl:have:2.0``, root ``HAVE`` with ``facility``
elements, lowerCamel names) and 1.0 (``urn:oasis:names:tc:emergency:EDXL:HAVE:1.0``, root
``HospitalStatus`` with ``Hospital`` elements, UpperCamel names) carry the same facts under
names that differ in case and in a few words, so elements are found by local name compared
without case, among the alternatives listed here. Coded values may be plain text or, as HAVE
2.0's value lists write them, a ``Value`` child.

Per facility: its id (``facilityID`` / ``OrganizationID``, else its name; one of them is
required), name, position
(``gml:pos``, "lat lon"), ``lastUpdateTime``, emergency department status
(``EMSTrafficStatus``), operations (``facilityStatus``), and every ``bedCapacity`` with its
``bedType`` (required), ``availableCount`` (required) and ``baselineCount``. The official HAVE
2.0 XSD is not shipped (see the README); :func:`read_have` checks this structure itself and
names every field that breaks it (:class:`~connectors.have.errors.HaveSchemaError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from connectors.cap.xmlsafe import (
    Element,
    XmlMalformed,
    local_name,
    namespace_of,
    parse_datetime,
    parse_xml,
)
from connectors.have.errors import HaveRefused, HaveSchemaError, Violation
from hub.contracts.geo import GeoPoint

__all__ = ["HAVE_1_0_NS", "HAVE_2_0_NS", "BedCount", "Facility", "read_have"]

HAVE_2_0_NS = "urn:oasis:names:tc:emergency:edxl:have:2.0"
"""The EDXL-HAVE 2.0 namespace (compared without case)."""

HAVE_1_0_NS = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"
"""The EDXL-HAVE 1.0 namespace (compared without case)."""

_ROOTS = {"have", "hospitalstatus"}
_FACILITY = ("facility", "hospital")
_ID = ("facilityid", "organizationid", "organisationid")
_NAME = ("facilityname", "organizationname", "organisationname")
_UPDATED = ("lastupdatetime",)
_ED = ("emstrafficstatus",)
_OPERATIONS = ("facilitystatus", "facilityoperations")
_BED = ("bedcapacity",)
_MAX_COUNT = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,7}")


@dataclass(frozen=True, slots=True)
class BedCount:
    """One ``bedCapacity`` of a facility: its bed type and counts."""

    bed_type: str
    available: int
    baseline: int | None


@dataclass(frozen=True, slots=True)
class Facility:
    """What one facility (hospital) reports."""

    facility_id: str
    name: str
    point: GeoPoint | None
    updated_at: datetime | None
    ed_status: str | None
    operations: str | None
    beds: tuple[BedCount, ...]


def read_have(xml: bytes) -> tuple[Facility, ...]:
    """Return the facilities of the EDXL-HAVE document ``xml``.

    Raises :class:`HaveRefused` (``xml_malformed``, ``not_have``) or
    :class:`HaveSchemaError` listing every structural violation by field.
    """
    try:
        root = parse_xml(xml)
    except XmlMalformed as exc:
        raise HaveRefused("xml_malformed", exc.message) from None
    namespace = (namespace_of(root) or "").casefold()
    if namespace not in {HAVE_2_0_NS, HAVE_1_0_NS.casefold()} or _name(root) not in _ROOTS:
        raise HaveRefused(
            "not_have",
            f"root {local_name(root)!r} in namespace {namespace_of(root)!r} is not EDXL-HAVE",
            fix=f"send a HAVE document (root HAVE in {HAVE_2_0_NS}); CAP goes to /v1/cap, "
            "EDXL-DE and RM to /v1/edxl.",
        )
    elements = [e for e in _children(root) if _name(e) in _FACILITY]
    violations: list[Violation] = []
    if not elements:
        violations.append(Violation("facility", "the document has no facility"))
    facilities = [_facility(e, f"facility[{n}]", violations) for n, e in enumerate(elements, 1)]
    if violations:
        raise HaveSchemaError(violations)
    return tuple(f for f in facilities if f is not None)


def _name(element: Element) -> str:
    return local_name(element).casefold()


def _children(element: Element) -> Iterator[Element]:
    return (item for item in element if isinstance(item.tag, str))


def _descendants(element: Element, names: tuple[str, ...]) -> Iterator[Element]:
    return (e for e in element.iter() if isinstance(e.tag, str) and _name(e) in names)


def _value(element: Element | None) -> str | None:
    """The text of ``element``, or of its ``Value`` child (HAVE 2.0 value lists)."""
    if element is None:
        return None
    coded = next(_descendants(element, ("value",)), None)
    text = " ".join((coded if coded is not None else element).itertext()).split()
    return " ".join(text) or None


def _first(element: Element, names: tuple[str, ...]) -> str | None:
    return _value(next(_descendants(element, names), None))


def _facility(element: Element, where: str, violations: list[Violation]) -> Facility | None:
    before = len(violations)
    name = _first(element, _NAME)
    facility_id = _first(element, _ID) or name
    if facility_id is None:
        violations.append(
            Violation(f"{where}.facilityID", "is missing or empty, and there is no facilityName")
        )
    beds = [
        _bed(bed, f"{where}.bedCapacity[{n}]", violations)
        for n, bed in enumerate(_descendants(element, _BED), 1)
    ]
    point = _point(element, where, violations)
    updated = _updated(element, where, violations)
    if len(violations) > before or facility_id is None:
        return None
    return Facility(
        facility_id=facility_id,
        name=name or facility_id,
        point=point,
        updated_at=updated,
        ed_status=_first(element, _ED),
        operations=_first(element, _OPERATIONS),
        beds=tuple(bed for bed in beds if bed is not None),
    )


def _bed(element: Element, where: str, violations: list[Violation]) -> BedCount | None:
    bed_type = _first(element, ("bedtype",))
    available = _count(element, "availableCount", where, violations, required=True)
    baseline = _count(element, "baselineCount", where, violations, required=False)
    if bed_type is None:
        violations.append(Violation(f"{where}.bedType", "is missing or empty"))
    if bed_type is None or available is None:
        return None
    return BedCount(bed_type, available, baseline)


def _count(
    element: Element, name: str, where: str, violations: list[Violation], *, required: bool
) -> int | None:
    text = _first(element, (name.casefold(),))
    if text is None:
        if required:
            violations.append(Violation(f"{where}.{name}", "is missing"))
        return None
    if not _DIGITS.fullmatch(text) or int(text) > _MAX_COUNT:
        violations.append(
            Violation(f"{where}.{name}", f"{text[:40]!r} is not a whole number 0..{_MAX_COUNT}")
        )
        return None
    return int(text)


def _point(element: Element, where: str, violations: list[Violation]) -> GeoPoint | None:
    text = _first(element, ("pos",))
    if text is None:
        return None
    try:
        lat, lon = (float(part) for part in text.split()[:2])
        return GeoPoint(lat=lat, lon=lon)
    except (ValueError, ValidationError):
        violations.append(Violation(f"{where}.pos", f"{text[:60]!r} is not 'lat lon' in WGS84"))
        return None


def _updated(element: Element, where: str, violations: list[Violation]) -> datetime | None:
    text = _first(element, _UPDATED)
    if text is None:
        return None
    try:
        return parse_datetime(text)
    except (ValueError, OverflowError) as exc:
        violations.append(Violation(f"{where}.lastUpdateTime", f"{text[:40]!r}: {exc}"))
        return None
