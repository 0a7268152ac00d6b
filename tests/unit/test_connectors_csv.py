"""CSV capacity lists: good rows become capacity.reported, bad rows errors by line number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.csvimport import CsvHeaderError, CsvImport, csv_to_events
from hub.contracts.events.capacity import CapacityReported
from hub.contracts.fields import Location
from hub.contracts.geo import GeoPoint

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

GOOD_AND_BAD = """resource_type,total,available,committed,valid_until,location,note
pump,24,16,4,2026-11-27T18:00:00+01:00,Brandweerkazerne Roosendaal,4 in onderhoud
sandbag,100,120,0,2026-11-27T18:00:00+01:00,,
bus,30,20,2,2026-11-28T06:00:00Z,Breda,
boat,6,four,0,2026-11-28T06:00:00Z,,
generator,10,8,0,2026-11-28T06:00:00Z,"Depot Etten-Leur, hal 2",
"""

DUTCH_EXCEL = (
    "\ufeffmiddel;totaal;beschikbaar;ingezet;geldig_tot;locatie;opmerking\r\n"
    "pump;24;16;4;27-11-2026 18:00;Roosendaal;HCP, 8.000 l/min\r\n"
    "shelter_place;450;300;0;28-11-2026;Sporthal De Meent;\r\n"
)


def _import(text: str, **options: object) -> CsvImport:
    """Import ``text`` as UTF-8 bytes for vr20, reported at NOW."""
    return csv_to_events(text.encode(), source_org="vr20", reported_at=NOW, **options)  # type: ignore[arg-type]


def test_good_rows_are_kept_and_bad_rows_reported_by_line() -> None:
    """Two bad lines give two errors with line, field and fix; the good rows are events."""
    result = _import(GOOD_AND_BAD)
    assert [e.data.resource_type for e in result.events] == ["pump", "bus", "generator"]
    assert [(e.line, e.field) for e in result.errors] == [(3, "available"), (5, "available")]
    assert str(result.errors[0]) == (
        "line 3: available 120 exceeds total 100 "
        "(fix: lower available to at most 100, or raise total)"
    )
    assert "'four' is not a whole number" in str(result.errors[1])


def test_rows_become_capacity_reports() -> None:
    """A row maps to capacity.reported with subject <source>/<resource_type> and UTC times."""
    pump = _import(GOOD_AND_BAD).events[0]
    assert isinstance(pump, CapacityReported)
    assert (pump.source, pump.subject, pump.time) == ("vr20", "vr20/pump", NOW)
    assert (pump.data.total, pump.data.available, pump.data.committed) == (24, 16, 4)
    assert pump.data.valid_until == datetime(2026, 11, 27, 17, tzinfo=UTC)
    assert pump.data.location == Location(place="Brandweerkazerne Roosendaal")
    assert pump.data.note == "4 in onderhoud"


def test_ids_are_deterministic_per_file_and_row() -> None:
    """The same file gives the same ids; a changed file gives new ones."""
    first = [e.id for e in _import(GOOD_AND_BAD).events]
    again = [e.id for e in _import(GOOD_AND_BAD).events]
    changed = [e.id for e in _import(GOOD_AND_BAD.replace("Breda", "Tilburg")).events]
    assert first == again
    assert len(set(first)) == 3
    assert not set(first) & set(changed)


def test_dutch_excel_export_with_bom_and_semicolons() -> None:
    """A UTF-8 BOM, ';' separators, Dutch headers and local times are read."""
    result = _import(DUTCH_EXCEL)
    assert result.errors == ()
    pump, shelter = result.events
    assert pump.data.valid_until == datetime(2026, 11, 27, 17, tzinfo=UTC)
    assert pump.data.note == "HCP, 8.000 l/min"
    assert shelter.data.valid_until == datetime(2026, 11, 28, 22, 59, tzinfo=UTC)


def test_windows_1252_exports_are_read_with_a_note() -> None:
    """Excel's plain CSV (Windows-1252) is decoded, and a note says so."""
    text = "resource_type;total;available;valid_until;note\npump;2;1;28-11-2026;Fryslân\n"
    result = csv_to_events(text.encode("cp1252"), source_org="vr02", reported_at=NOW)
    assert result.events[0].data.note == "Fryslân"
    assert len(result.notes) == 1
    assert "Windows-1252" in result.notes[0]


def test_a_header_names_missing_and_unknown_columns() -> None:
    """A bad header refuses the file, naming what is missing, unknown, and a likely fix."""
    with pytest.raises(CsvHeaderError) as caught:
        _import("resource_type,totl,available,remarks\npump,1,1,\n")
    error = caught.value
    assert error.missing == ("total", "valid_until")
    assert error.unknown == ("totl", "remarks")
    assert "'totl' → 'total'?" in str(error)


def test_repeated_columns_and_an_empty_file_are_refused() -> None:
    """A column given twice, or no header at all, refuses the file."""
    with pytest.raises(CsvHeaderError) as repeated:
        _import("resource_type,total,available,valid_until,totaal\n")
    assert repeated.value.repeated == ("total",)
    with pytest.raises(CsvHeaderError) as empty:
        _import("")
    assert empty.value.missing == ("resource_type", "total", "available", "valid_until")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("pomp,2,1,0,2026-11-28T06:00:00Z", "resource_type", "did you mean 'pump'?"),
        ("pump,1.000,1,0,2026-11-28T06:00:00Z", "total", "without thousands separators"),
        ("pump,5,3,3,2026-11-28T06:00:00Z", "committed", "3 + committed 3 exceeds total 5"),
        ("pump,5,3,0,morgen", "valid_until", "is not a date and time"),
        ("pump,5,3,0,2026-11-26T06:00:00Z", "valid_until", "not after the report time"),
        ("pump,5,3,0,2026-11-28T06:00:00Z,vr99", "region", "is not a safety region"),
        ("pump,5,3,0,2026-11-28T06:00:00Z,,51.5", "location", "lat and lon must be given"),
        ("pump,5,3,0,2026-11-28T06:00:00Z,,,,,extra", None, "10 fields, but the header has 9"),
    ],
)
def test_row_errors_name_the_field_and_the_fix(row: str, field: str | None, message: str) -> None:
    """Each kind of bad cell is reported on its line, with the field and how to fix it."""
    header = "resource_type,total,available,committed,valid_until,region,lat,lon,note\n"
    row = row + "," * max(0, 8 - row.count(","))
    [error] = _import(header + row + "\n").errors
    assert (error.line, error.field) == (2, field)
    assert message in str(error)
    assert error.fix


def test_a_resource_type_may_appear_once_per_file() -> None:
    """A second row of the same resource type is an error naming the first line."""
    text = GOOD_AND_BAD + "pump,3,3,0,2026-11-28T06:00:00Z,Bergen op Zoom,\n"
    [*_, error] = _import(text).errors
    assert (error.line, error.field) == (7, "resource_type")
    assert "already reported on line 2" in error.message


def test_blank_and_comment_lines_are_skipped() -> None:
    """Blank lines and lines starting with '#' are not data."""
    result = _import(GOOD_AND_BAD.replace("\nbus", "\n\n# bussen\nbus"))
    assert len(result.events) == 3
    assert [e.line for e in result.errors] == [3, 7]


def test_coordinates_and_region_are_read() -> None:
    """Optional lat/lon (with decimal commas) and region columns fill the location and region."""
    text = "resource_type;total;available;valid_until;region;lat;lon\n"
    text += "boat;4;4;2026-11-28T06:00:00Z;VR19;51,4419;3,5958\n"
    [boat] = _import(text).events
    assert boat.data.region == "vr19"
    assert boat.data.location == Location(point=GeoPoint(lat=51.4419, lon=3.5958))


EDGE_DATES = """resource_type,total,available,valid_until
pump,5,3,2026-11-27T24:00:00+01:00
bus,5,3,2026-11-27T24:00:00
sandbag,5,3,9999-12-31T23:59:59-01:00
boat,5,3,9999-12-31T23:59:59
"""


def test_valid_until_uses_the_xs_datetime_parser() -> None:
    """24:00 is read (with an offset or local); past 9999 in UTC, or past 2999, a row error."""
    result = _import(EDGE_DATES)
    assert [e.data.valid_until.isoformat() for e in result.events] == [
        "2026-11-27T23:00:00+00:00", "2026-11-27T23:00:00+00:00",
    ]  # fmt: skip
    beyond, late = result.errors
    assert (beyond.line, beyond.field) == (4, "valid_until")
    assert "'9999-12-31T23:59:59-01:00' lies outside 0001-01-01..9999-12-31" in beyond.message
    assert late.line == 5  # representable, but past the years the hub holds (1900..2999)
    assert "1900..2999" in late.message
