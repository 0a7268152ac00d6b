"""Partner files (CAP, EDXL, EDXL-HAVE, CSV) to hub events: what a file maps to and what it refuses.

:func:`read_import_file` reads a file if it is within the import size limit (checked with
``stat`` before reading, and the read itself is bounded): the same limit as the bridge's
request bodies (``KCR_MAX_IMPORT_BYTES``). Each ``map_*`` function reads the bytes of one file
and returns a :class:`FileImport`: the events to publish and a reason for every part refused
(the whole file, an EDXL payload or RM item, a CSV line). They never raise for bad input; the
mapping itself is done by the tested connector modules (:mod:`connectors.cap`,
:mod:`connectors.edxl`, :mod:`connectors.have`,
:mod:`connectors.csvimport`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors.cap import CapRefused, cap_to_events
from connectors.cap.xmlsafe import XmlMalformed
from connectors.csvimport import CsvHeaderError, csv_to_events
from connectors.edxl import EdxlRefused, import_edxl
from connectors.have import HaveRefused, have_to_events
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import HubError

__all__ = [
    "FORMATS",
    "FileImport",
    "FileTooLarge",
    "MapOptions",
    "map_cap",
    "map_csv",
    "map_edxl",
    "map_have",
    "read_import_file",
]


class FileTooLarge(HubError, ValueError):
    """A file over the import size limit; refused before it is read or parsed."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        """Refuse ``path`` of (at least) ``size`` bytes, over ``limit``."""
        self.path, self.size, self.limit = path, size, limit
        super().__init__(
            f"{path.name} is {size} bytes or more, over the import limit of {limit} bytes "
            "(too_large)",
            fix="split the file, or raise KCR_MAX_IMPORT_BYTES (the one limit of files, "
            "watched folders and the bridge).",
        )


def read_import_file(path: Path, limit: int) -> bytes:
    """Return the bytes of ``path``; :class:`FileTooLarge` if it holds more than ``limit``.

    The size is checked with ``stat`` first and the read stops after ``limit + 1`` bytes, so a
    file that grew in between is refused too and never read whole. ``OSError`` as ``open``.
    """
    size = path.stat().st_size
    if size > limit:
        raise FileTooLarge(path, size, limit)
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(path, len(data), limit)
    return data


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
    return FileImport(refusals=(error.refusal(),))


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
    """Map an EDXL-DE distribution, or a bare EDXL-RM request or commitment.

    Through :func:`connectors.edxl.import_edxl`, the same mapping as the bridge's ``/v1/edxl``.
    """
    try:
        imported = import_edxl(
            data, source_org=options.org, fallback_region=options.fallback_region
        )
    except (EdxlRefused, XmlMalformed, CapRefused) as error:
        return _refused(error)
    return FileImport(imported.events, tuple(str(r) for r in imported.refusals), imported.notes)


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
