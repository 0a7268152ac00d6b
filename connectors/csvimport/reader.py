"""Capacity lists in CSV → ``capacity.reported`` events; bad rows reported by line, good ones kept.

The file is what a region exports from its spreadsheet: UTF-8 with or without a byte order
mark (Excel's "CSV UTF-8"), or Windows-1252 (Excel's plain "CSV", with a note); ``,``, ``;``
(Dutch Excel) or tab between columns, guessed from the header line. Blank lines and lines
starting with ``#`` are skipped. The columns are described in :mod:`connectors.csvimport.columns`.

Each good row becomes one event: subject ``<source>/<resource_type>`` (the key of the capacity
view, so one resource type may appear once per file), time = ``reported_at``, and a
deterministic id (UUID 5 of source, the file's SHA-256 and the row), so importing the same file
again only produces duplicates that the gateway drops.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from difflib import get_close_matches
from types import MappingProxyType
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from connectors.csvimport.columns import (
    COLUMNS,
    HEADER,
    REQUIRED,
    CellError,
    map_header,
    parse_count,
    parse_valid_until,
)
from connectors.csvimport.errors import CsvHeaderError, RowError
from hub.contracts.events.capacity import CapacityReported
from hub.contracts.events.envelope import Tlp
from hub.contracts.fields import to_utc
from hub.contracts.organisations import load_registry
from hub.contracts.reference import load_reference

__all__ = ["CsvImport", "csv_to_events"]

_DELIMITERS = (",", ";", "\t")
_PLACE_MAX, _NOTE_MAX = 200, 10_000


@dataclass(frozen=True, slots=True)
class CsvImport:
    """The events of the good rows, and an error for every bad one."""

    events: tuple[CapacityReported, ...]
    errors: tuple[RowError, ...]
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Context:
    source_org: str
    reported_at: datetime
    tlp: Tlp
    zone: tzinfo
    digest: str
    seen: dict[str, int] = field(default_factory=dict)


def csv_to_events(
    data: bytes,
    *,
    source_org: str,
    reported_at: datetime,
    tlp: Tlp = Tlp.GREEN,
    zone: tzinfo | None = None,
) -> CsvImport:
    """Map the capacity list ``data`` of ``source_org``, reported at ``reported_at``, to events.

    ``zone`` reads times written without an offset (default Europe/Amsterdam). Raises
    :class:`CsvHeaderError` if the header is wrong; row problems are in
    :attr:`CsvImport.errors`, by line number, with the field and the fix.
    """
    load_registry().get(source_org)
    text, notes = _decode(data)
    zone = zone or ZoneInfo("Europe/Amsterdam")
    ctx = _Context(source_org, to_utc(reported_at), tlp, zone, _digest(data))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next(reader, None)
    if header is None:
        raise CsvHeaderError(missing=REQUIRED, fix=f"start the file with the line {HEADER}")
    columns = map_header(header)
    events: list[CapacityReported] = []
    errors: list[RowError] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
            continue
        result = _row(cells, columns, reader.line_num, ctx)
        if isinstance(result, CapacityReported):
            events.append(result)
        else:
            errors += result
    return CsvImport(tuple(events), tuple(errors), tuple(notes))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        note = "the file is not UTF-8; read it as Windows-1252 (Excel's plain CSV)"
        return data.decode("cp1252", errors="replace"), [note]


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max(_DELIMITERS, key=first.count)


def _row(
    cells: Sequence[str], columns: Sequence[str | None], line: int, ctx: _Context
) -> CapacityReported | list[RowError]:
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        return [
            RowError(
                line,
                None,
                f"{len(cells)} fields, but the header has {len(columns)}",
                "quote values that contain the delimiter, or remove the extra fields",
            )
        ]
    values = {c: cells[i].strip() for i, c in enumerate(columns) if c and i < len(cells)}
    fields, errors = _read(values, line, ctx)
    errors += _relations(fields, line)
    if not errors:
        errors += _duplicate(fields["resource_type"], line, ctx)
    if errors:
        return errors
    return _event(fields, values, line, ctx)


def _read(
    values: Mapping[str, str], line: int, ctx: _Context
) -> tuple[dict[str, Any], list[RowError]]:
    fields: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, reader in _READERS.items():
        try:
            fields[column] = reader(values.get(column, ""), ctx)
        except CellError as exc:
            errors.append(RowError(line, column, exc.message, exc.fix))
    try:
        fields["location"] = _location(values)
    except CellError as exc:
        errors.append(RowError(line, "location", exc.message, exc.fix))
    return fields, errors


def _resource_type(text: str, ctx: _Context) -> str:
    codes = load_reference().resource_codes()
    code = text.strip().casefold()
    if code in codes:
        return code
    close = get_close_matches(code, codes, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise CellError(
        f"resource_type {text!r} is unknown" if text else "resource_type is empty",
        f"{hint}use one of: {', '.join(codes)}",
    )


def _valid_until(text: str, ctx: _Context) -> datetime:
    valid_until = parse_valid_until(text, ctx.zone)
    if valid_until <= ctx.reported_at:
        raise CellError(
            f"valid_until {text} is not after the report time {ctx.reported_at.isoformat()}",
            "give the time until which these numbers hold, later than now",
        )
    return valid_until


def _region(text: str, ctx: _Context) -> str | None:
    if not text:
        return None
    registry = load_registry()
    if not registry.is_region(text.casefold()):
        raise CellError(
            f"region {text!r} is not a safety region",
            "leave region empty for your own region, or write its id vr01..vr25",
        )
    return text.casefold()


def _note(text: str, ctx: _Context) -> str:
    if len(text) > _NOTE_MAX:
        raise CellError(f"note has {len(text)} characters", f"shorten it to {_NOTE_MAX}")
    return text


_READERS: Mapping[str, Callable[[str, _Context], Any]] = MappingProxyType(
    {
        "resource_type": _resource_type,
        "total": lambda text, ctx: parse_count("total", text),
        "available": lambda text, ctx: parse_count("available", text),
        "committed": lambda text, ctx: parse_count("committed", text) if text else 0,
        "valid_until": _valid_until,
        "region": _region,
        "note": _note,
    }
)


def _location(values: Mapping[str, str]) -> dict[str, Any] | None:
    place, lat, lon = values.get("location", ""), values.get("lat", ""), values.get("lon", "")
    if len(place) > _PLACE_MAX:
        raise CellError(f"location has {len(place)} characters", f"shorten it to {_PLACE_MAX}")
    if bool(lat) != bool(lon):
        raise CellError("lat and lon must be given together", "fill in both, or neither")
    point = None
    if lat:
        try:
            point = {"lat": float(lat.replace(",", ".")), "lon": float(lon.replace(",", "."))}
        except ValueError:
            raise CellError(
                f"lat/lon {lat!r}, {lon!r} are not numbers", "write e.g. 51.4467 and 4.0331"
            ) from None
    return {"place": place or None, "point": point} if place or point else None


def _relations(fields: Mapping[str, Any], line: int) -> list[RowError]:
    total, available = fields.get("total"), fields.get("available")
    committed = fields.get("committed")
    if total is None or available is None:
        return []
    if available > total:
        return [
            RowError(
                line,
                "available",
                f"available {available} exceeds total {total}",
                f"lower available to at most {total}, or raise total",
            )
        ]
    if committed is not None and available + committed > total:
        return [
            RowError(
                line,
                "committed",
                f"available {available} + committed {committed} exceeds total {total}",
                "available and committed are separate parts of total; lower one of them",
            )
        ]
    return []


def _duplicate(resource_type: str, line: int, ctx: _Context) -> list[RowError]:
    first = ctx.seen.setdefault(resource_type, line)
    if first == line:
        return []
    return [
        RowError(
            line,
            "resource_type",
            f"resource_type {resource_type} was already reported on line {first}",
            "the hub keeps one report per resource type: add the rows up into one line",
        )
    ]


def _event(
    fields: dict[str, Any], values: Mapping[str, str], line: int, ctx: _Context
) -> CapacityReported | list[RowError]:
    row = "|".join(values.get(column, "") for column in COLUMNS)
    event_id = uuid5(NAMESPACE_URL, f"urn:kcr:csv:{ctx.source_org}:{ctx.digest}:{row}")
    document = {
        "id": str(event_id),
        "source": ctx.source_org,
        "subject": f"{ctx.source_org}/{fields['resource_type']}",
        "time": ctx.reported_at,
        "tlp": ctx.tlp,
        "data": fields,
    }
    try:
        return CapacityReported.model_validate(document)
    except ValidationError as exc:
        return [
            RowError(line, _field_of(error["loc"]), error["msg"], "correct the value")
            for error in exc.errors()
        ]


def _field_of(loc: tuple[int | str, ...]) -> str | None:
    names = [str(part) for part in loc if str(part) in COLUMNS or str(part) == "location"]
    return names[0] if names else None
