"""The capacity CSV layout: its columns, their Dutch aliases, and how cells are read.

The header (first line) names the columns in any order, case-insensitively; Dutch names as in
regional spreadsheets are accepted too::

    resource_type,total,available,committed,valid_until,location,note
    middel;totaal;beschikbaar;ingezet;geldig_tot;locatie;opmerking

Required: ``resource_type`` (a hub code such as ``pump``), ``total``, ``available`` and
``valid_until``. Optional: ``committed`` (default 0), ``region`` (if not the source's own),
``location`` (a place name), ``lat`` and ``lon`` (WGS84, both or neither), ``note``.

Counts are whole numbers without separators. ``valid_until`` is RFC 3339 with an offset
(``2026-11-27T18:00:00+01:00``), or a local time as Excel writes it (``2026-11-27 18:00``,
``27-11-2026 18:00``, ``27-11-2026``: a date alone means the end of that day), read in the
given time zone (Europe/Amsterdam by default).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, tzinfo
from types import MappingProxyType

from connectors.csvimport.errors import CsvHeaderError
from hub.contracts.xsdtime import XS_DATETIME, DateTimeRefused, parse_xs_datetime

__all__ = [
    "COLUMNS",
    "HEADER",
    "REQUIRED",
    "CellError",
    "map_header",
    "parse_count",
    "parse_valid_until",
]

COLUMNS = (
    "resource_type",
    "total",
    "available",
    "committed",
    "valid_until",
    "region",
    "location",
    "lat",
    "lon",
    "note",
)
"""Every column the import reads."""

REQUIRED = ("resource_type", "total", "available", "valid_until")
"""The columns every file must have."""

HEADER = "resource_type,total,available,committed,valid_until,location,note"
"""The documented header line of a capacity list."""

ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "middel": "resource_type",
        "type": "resource_type",
        "resource": "resource_type",
        "totaal": "total",
        "beschikbaar": "available",
        "ingezet": "committed",
        "toegezegd": "committed",
        "geldig_tot": "valid_until",
        "regio": "region",
        "locatie": "location",
        "plaats": "location",
        "breedtegraad": "lat",
        "lengtegraad": "lon",
        "opmerking": "note",
        "opmerkingen": "note",
    }
)
"""Other names (lower case, words joined by ``_``) accepted for the columns."""

_LOCAL_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class CellError(ValueError):
    """A cell cannot be read; ``fix`` says how to write it."""

    def __init__(self, message: str, fix: str) -> None:
        """Say what is wrong (``message``) and how to write it instead (``fix``)."""
        self.message = message
        self.fix = fix
        super().__init__(message)


_VALID_UNTIL_FIX = "write e.g. 2026-11-27T18:00:00+01:00, 2026-11-27 18:00 or 27-11-2026 18:00"


def _normal(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().casefold())


def map_header(cells: Sequence[str]) -> tuple[str | None, ...]:
    """Return the column each header cell names (None for a blank trailing cell).

    Raises :class:`CsvHeaderError` naming missing, unknown and repeated columns.
    """
    names = [_normal(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()
    columns = [ALIASES.get(name, name) for name in names]
    unknown = [
        cells[i].strip() or f"(blank column {i + 1})"
        for i, c in enumerate(columns)
        if c not in COLUMNS
    ]
    missing = [column for column in REQUIRED if column not in columns]
    repeated = sorted({c for c in columns if c in COLUMNS and columns.count(c) > 1})
    if unknown or missing or repeated:
        raise CsvHeaderError(
            missing=missing, unknown=unknown, repeated=repeated, fix=_header_fix(unknown)
        )
    return tuple(columns) + (None,) * (len(cells) - len(columns))


def _header_fix(unknown: Sequence[str]) -> str:
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(_normal(name), [*COLUMNS, *ALIASES], n=1)
        if close:
            hints.append(f"{name!r} → {ALIASES.get(close[0], close[0])!r}?")
    did_you_mean = f" Did you mean: {', '.join(hints)}" if hints else ""
    return (
        f"start the file with the header line {HEADER} (',' or ';' between columns; optional "
        f"columns: committed, region, location, lat, lon, note).{did_you_mean}"
    )


def parse_count(column: str, text: str) -> int:
    """Return the whole number >= 0 in cell ``text`` of ``column``; raise :class:`CellError`."""
    value = text.strip()
    if not value:
        raise CellError(f"{column} is empty", f"write the number of units in {column}, e.g. 12")
    if not re.fullmatch(r"[+-]?\d+", value):
        raise CellError(
            f"{column} {value!r} is not a whole number",
            f"write {column} as digits only, without thousands separators or decimals, e.g. 1000",
        )
    count = int(value)
    if count < 0:
        raise CellError(f"{column} {count} is negative", f"write {column} as 0 or more")
    return count


def parse_valid_until(text: str, zone: tzinfo) -> datetime:
    """Return the ``valid_until`` cell as an aware UTC datetime (local times in ``zone``).

    An xs:dateTime goes through the hub's one parser
    (:func:`hub.contracts.xsdtime.parse_xs_datetime`), without an offset as a local time; a
    time outside 0001..9999 once in UTC is a :class:`CellError`, never an ``OverflowError``.
    """
    value = text.strip()
    if not value:
        raise CellError("valid_until is empty", _VALID_UNTIL_FIX)
    try:
        found = XS_DATETIME.fullmatch(value)
        if found is not None:
            return _xs_time(value, found["offset"] is not None, zone)
        parsed = _iso_or_local(value)
        if parsed is None:
            raise CellError(f"valid_until {value!r} is not a date and time", _VALID_UNTIL_FIX)
        return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)).astimezone(
            UTC
        )
    except DateTimeRefused as exc:
        raise CellError(exc.message, _VALID_UNTIL_FIX) from None
    except OverflowError:
        message = f"valid_until {value!r} lies outside 0001-01-01..9999-12-31 in UTC"
        raise CellError(message, _VALID_UNTIL_FIX) from None


def _xs_time(value: str, has_offset: bool, zone: tzinfo) -> datetime:
    """An xs:dateTime cell; one without an offset is a wall-clock time in ``zone``."""
    if has_offset:
        return parse_xs_datetime(value, "valid_until")
    wall = parse_xs_datetime(value + "Z", "valid_until").replace(tzinfo=None)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _iso_or_local(value: str) -> datetime | None:
    """Other ISO 8601 forms (``2026-11-27 18:00``) and the local forms Excel writes."""
    if not _DATE_ONLY.fullmatch(value):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return _local(value)


def _local(value: str) -> datetime | None:
    for pattern in _LOCAL_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    for pattern in _DATE_FORMATS:
        try:
            return datetime.combine(datetime.strptime(value, pattern).date(), time(23, 59))
        except ValueError:
            continue
    return None
