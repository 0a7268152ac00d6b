"""EDXL-HAVE hospital status → ``capacity.reported`` events, one per hub bed type.

The capacity view keeps one report per (source, resource type), so a document becomes one
report per hub resource type, summed over its facilities (a patient coordination centre such
as the LCPS reports every hospital in one document; a hospital or region reports its own):

- Bed types map to hub resource types through ``data/bed_types.json`` (``AdultICU`` →
  ``icu_bed``, ``MedicalSurgical`` → ``hospital_bed``, …); a bed type not listed is named in
  the notes and not counted. Several HAVE bed types may add up into one hub type.
- ``available`` is ``availableCount``; ``total`` is ``baselineCount`` (the staffed beds), or
  ``availableCount`` when no baseline is given or more beds are available than the baseline
  (surge beds; noted). ``committed`` is 0: HAVE does not say what is promised.
- Operations: a facility whose status is closed or evacuating counts no available beds, and
  an emergency department that is closed or diverting ambulances counts no available
  ``emergency_department_bed`` places; both are noted in the reports.
- Time: the latest ``lastUpdateTime`` of the facilities, else ``reported_at``; the report is
  valid for ``valid_for`` (24 hours by default) after it.
- Region: the safety region whose boundary holds the facilities' positions (:mod:`hub.geo`); the
  report names it when it is not the sender's own; facilities in several regions give a
  report without a region (noted). Subject ``<source>/<resource_type>``, as the capacity CSV.
- Ids are UUID 5 of the source, the document's SHA-256 and the resource type: a re-import is
  a duplicate the gateway drops.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from uuid import NAMESPACE_URL, uuid5

from pydantic import ValidationError

from connectors.have.errors import HaveRefused
from connectors.have.reader import BedCount, Facility, read_have
from connectors.resource_tables import load_resource_table
from hub.contracts.events.capacity import CapacityReported
from hub.contracts.events.envelope import Tlp
from hub.contracts.fields import to_utc
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.geo import load_boundaries

__all__ = ["DEFAULT_VALID_FOR", "HaveImport", "bed_resource_type", "have_to_events"]

DEFAULT_VALID_FOR = timedelta(hours=24)
"""How long a HAVE report stays valid by default (HAVE has no expiry of its own)."""

_CLOSED = {"closed", "evacuating", "evacuated"}
_ED_CLOSED = {"closed", "diversion", "divert"}
_ED_BEDS = "emergency_department_bed"
_NOTE_MAX = 10_000


@dataclass(frozen=True, slots=True)
class HaveImport:
    """The capacity reports of a HAVE document, and notes on what was not counted."""

    events: tuple[CapacityReported, ...]
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Sum:
    total: int = 0
    available: int = 0
    remarks: list[str] = field(default_factory=list)


def _normal(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


@cache
def _bed_table() -> Mapping[str, str]:
    return load_resource_table("connectors.have", "bed_types.json", "bed_types", _normal)


def bed_resource_type(bed_type: str) -> str | None:
    """Return the hub resource type the HAVE ``bed_type`` counts as, or None."""
    return _bed_table().get(_normal(bed_type))


def have_to_events(
    xml: bytes,
    *,
    source_org: str,
    reported_at: datetime,
    registry: OrganisationRegistry | None = None,
    tlp: Tlp = Tlp.GREEN,
    valid_for: timedelta = DEFAULT_VALID_FOR,
) -> HaveImport:
    """Map the EDXL-HAVE document ``xml`` from ``source_org`` to capacity reports.

    ``reported_at`` is the report time when no facility gives a ``lastUpdateTime``. Raises
    :class:`~connectors.have.errors.HaveRefused` with a reason code (``xml_malformed``,
    ``not_have``, ``schema_invalid`` naming the fields, ``no_capacity``, ``invalid_event``).
    """
    registry = registry if registry is not None else load_registry()
    registry.get(source_org)
    facilities = read_have(xml)
    notes: list[str] = []
    sums = _sums(facilities, notes)
    if not sums:
        raise HaveRefused(
            "no_capacity",
            f"none of {len(facilities)} facility(ies) reports a bed type the hub counts",
            fix="report beds of a type listed in connectors/have/data/bed_types.json, "
            "e.g. AdultICU or MedicalSurgical",
        )
    times = [to_utc(f.updated_at) for f in facilities if f.updated_at is not None]
    at = max(times) if times else to_utc(reported_at)
    region = _region(facilities, source_org, registry, notes)
    location = _location(facilities)
    envelope = _Envelope(
        source_org, at, at + valid_for, tlp, hashlib.sha256(xml).hexdigest(), region, location
    )
    events = [_event(code, total, envelope) for code, total in sorted(sums.items())]
    return HaveImport(tuple(events), tuple(notes))


def _sums(facilities: Sequence[Facility], notes: list[str]) -> dict[str, _Sum]:
    sums: dict[str, _Sum] = {}
    for facility in facilities:
        for bed in facility.beds:
            code = bed_resource_type(bed.bed_type)
            if code is None:
                notes.append(f"{facility.name}: bed type {bed.bed_type!r} is not counted")
                continue
            _add(sums.setdefault(code, _Sum()), facility, bed, code)
    return sums


def _add(entry: _Sum, facility: Facility, bed: BedCount, code: str) -> None:
    """Add ``bed`` of ``facility`` to the sum of hub type ``code``, with its remarks."""
    closed = (facility.operations or "").casefold() in _CLOSED
    ed_closed = code == _ED_BEDS and (facility.ed_status or "").casefold() in _ED_CLOSED
    entry.total += max(bed.baseline or 0, bed.available)
    entry.available += 0 if closed or ed_closed else bed.available
    if bed.baseline is not None and bed.available > bed.baseline:
        entry.remarks.append(f"{facility.name}: {bed.available - bed.baseline} surge")
    if closed:
        entry.remarks.append(
            f"{facility.name}: operations {facility.operations}, no beds available"
        )
    elif ed_closed:
        entry.remarks.append(f"{facility.name}: emergency department {facility.ed_status}")


def _region(
    facilities: Sequence[Facility],
    source_org: str,
    registry: OrganisationRegistry,
    notes: list[str],
) -> str | None:
    boundaries = load_boundaries()
    regions = {
        region
        for f in facilities
        if f.point is not None
        for region in [boundaries.region_at(f.point)]
        if region is not None and registry.is_region(region)
    }
    if len(regions) > 1:
        notes.append(f"facilities in several regions ({', '.join(sorted(regions))}): no region")
        return None
    region = next(iter(regions), None)
    return None if region == source_org else region


def _location(facilities: Sequence[Facility]) -> dict[str, object] | None:
    if len(facilities) != 1:
        return None
    only = facilities[0]
    return {"place": only.name[:200], "point": only.point}


@dataclass(frozen=True, slots=True)
class _Envelope:
    """What every report of one document shares."""

    source_org: str
    at: datetime
    valid_until: datetime
    tlp: Tlp
    digest: str
    region: str | None
    location: dict[str, object] | None


def _event(code: str, total: _Sum, envelope: _Envelope) -> CapacityReported:
    source_org = envelope.source_org
    document = {
        "id": str(uuid5(NAMESPACE_URL, f"urn:kcr:have:{source_org}:{envelope.digest}:{code}")),
        "source": source_org,
        "subject": f"{source_org}/{code}",
        "time": envelope.at,
        "tlp": envelope.tlp,
        "data": {
            "resource_type": code,
            "total": total.total,
            "available": total.available,
            "region": envelope.region,
            "location": envelope.location,
            "valid_until": envelope.valid_until,
            "note": "\n".join(dict.fromkeys(total.remarks))[:_NOTE_MAX],
        },
    }
    try:
        return CapacityReported.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise HaveRefused("invalid_event", f"the {code} report is invalid: {problems}") from None
