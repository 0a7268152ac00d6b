"""Partner files (CAP, EDXL, EDXL-HAVE, CSV) to hub events: what a file maps to and what it refuses.

Each ``map_*`` function reads the bytes of one file and returns a :class:`FileImport`: the
events to publish and a reason for every part refused (the whole file, an EDXL payload or RM
item, a CSV line). They never raise for bad input; the mapping itself is done by the tested
connector modules (:mod:`connectors.cap`, :mod:`connectors.edxl`, :mod:`connectors.have`,
:mod:`connectors.csvimport`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.cap import CapRefused, cap_to_events
from connectors.cap.xmlsafe import XmlMalformed, namespace_of, parse_xml
from connectors.csvimport import CsvHeaderError, csv_to_events
from connectors.edxl import RM_NS, EdxlRefused, edxl_to_events, rm_to_events
from connectors.have import HaveRefused, have_to_events
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import HubError

__all__ = [
    "FORMATS",
    "FileImport",
    "MapOptions",
    "map_cap",
    "map_csv",
    "map_edxl",
    "map_have",
]


@dataclass(frozen=True, slots=True)
class MapOptions:
    """How files are mapped: for whom, and the CAP defaults."""

    org: str
    grip_level: str | None = None
    fallback_region: str | None = None


@dataclass(frozen=True, slots=True)
class FileImport:
    """The events one file maps to, every refusal with its reason, and mapping notes."""

    events: tuple[EventEnvelope, ...] = ()
    refusals: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def refused(self) -> bool:
        """Whether anything in the file was refused."""
        return bool(self.refusals)


def _refused(error: HubError) -> FileImport:
    message = error.message + (f" (fix: {error.fix})" if error.fix else "")
    return FileImport(refusals=(message,))


def map_cap(data: bytes, options: MapOptions) -> FileImport:
    """Map a CAP 1.2 alert (one incident event) or refuse it with its reason code."""
    try:
        mapped = cap_to_events(
            data,
            source_org=options.org,
            grip_level=options.grip_level,
            fallback_region=options.fallback_region,
        )
    except (CapRefused, XmlMalformed) as error:
        return _refused(error)
    return FileImport(events=mapped.events, notes=mapped.notes)


def map_edxl(data: bytes, options: MapOptions) -> FileImport:
    """Map an EDXL-DE distribution, or a bare EDXL-RM request or commitment."""
    try:
        root = parse_xml(data)
        if (namespace_of(root) or "").startswith(RM_NS):
            rm = rm_to_events(data, source_org=options.org)
            return FileImport(events=rm.events, refusals=tuple(str(e) for e in rm.errors))
        de = edxl_to_events(data, source_org=options.org, fallback_region=options.fallback_region)
    except (EdxlRefused, XmlMalformed, CapRefused) as error:
        return _refused(error)
    return FileImport(de.events, tuple(str(r) for r in de.refusals), de.notes)


def map_have(data: bytes, options: MapOptions) -> FileImport:
    """Map an EDXL-HAVE hospital status to one capacity report per bed type, or refuse it."""
    try:
        mapped = have_to_events(data, source_org=options.org, reported_at=datetime.now(UTC))
    except HaveRefused as error:
        return _refused(error)
    return FileImport(events=mapped.events, notes=mapped.notes)


def map_csv(data: bytes, options: MapOptions) -> FileImport:
    """Map a capacity list: the good rows' events and one refusal per bad line."""
    try:
        mapped = csv_to_events(data, source_org=options.org, reported_at=datetime.now(UTC))
    except CsvHeaderError as error:
        return _refused(error)
    return FileImport(mapped.events, tuple(str(e) for e in mapped.errors), mapped.notes)


FORMATS: dict[str, Callable[[bytes, MapOptions], FileImport]] = {
    "cap": map_cap,
    "edxl": map_edxl,
    "have": map_have,
    "csv": map_csv,
}
"""The mapper of each ``kcr connect`` format."""
