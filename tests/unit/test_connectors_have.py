"""EDXL-HAVE: hospital status → one capacity.reported per hub bed type, or a named refusal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.have import (
    REASONS,
    HaveImport,
    HaveRefused,
    HaveSchemaError,
    bed_resource_type,
    have_to_events,
    read_have,
)
from hub.contracts.errors import UnknownOrganisation
from hub.contracts.events.capacity import CapacityReported
from hub.contracts.geo import GeoPoint
from hub.contracts.reference import load_reference

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "have" / "lcps-two-hospitals.xml"
NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)

ONE = """<?xml version="1.0" encoding="UTF-8"?>
<HAVE xmlns="urn:oasis:names:tc:emergency:edxl:have:2.0"
      xmlns:gml="http://www.opengis.net/gml/3.2">
  <facility>
    <facilityInformation>
      <facilityID>NL-ZE-ADRZ</facilityID>
      <facilityName>Admiraal De Ruyter Ziekenhuis</facilityName>
      <facilityGeoLocation><gml:Point><gml:pos>51.4975 3.8906</gml:pos></gml:Point>
      </facilityGeoLocation>
    </facilityInformation>
    {status}
    <bedCapacity>
      <bedType>{bed_type}</bedType>
      <capacity><availableCount>{available}</availableCount>{baseline}</capacity>
    </bedCapacity>
  </facility>
</HAVE>"""


def one(
    bed_type: str = "AdultICU",
    available: str = "4",
    baseline: str = "<baselineCount>12</baselineCount>",
    status: str = "",
) -> bytes:
    """A one-hospital HAVE 2.0 document (Goes, safety region Zeeland) with one bed capacity."""
    text = ONE.format(bed_type=bed_type, available=available, baseline=baseline, status=status)
    return text.encode()


def by_type(events: tuple[CapacityReported, ...]) -> dict[str, CapacityReported]:
    """The events keyed by resource type."""
    return {event.data.resource_type: event for event in events}


def test_the_two_hospital_document_sums_each_bed_type() -> None:
    """ICU beds of both hospitals add up; ward and ED beds are their own reports."""
    result = have_to_events(FIXTURE.read_bytes(), source_org="lcps", reported_at=NOW)
    reports = by_type(result.events)
    assert sorted(reports) == ["emergency_department_bed", "hospital_bed", "icu_bed"]
    icu = reports["icu_bed"].data
    assert (icu.total, icu.available, icu.committed) == (66, 10, 0)
    ward = reports["hospital_bed"].data
    assert (ward.total, ward.available) == (820, 55)


def test_a_closed_emergency_department_counts_no_available_places() -> None:
    """Maasstad's ED is closed: only Erasmus MC's 6 places are available, and it is noted."""
    result = have_to_events(FIXTURE.read_bytes(), source_org="lcps", reported_at=NOW)
    ed = by_type(result.events)["emergency_department_bed"].data
    assert (ed.total, ed.available) == (50, 6)
    assert "Maasstad Ziekenhuis: emergency department Closed" in ed.note


def test_envelope_time_validity_region_and_subject() -> None:
    """Time is the latest lastUpdateTime, valid 24 h; both hospitals lie in vr17."""
    result = have_to_events(FIXTURE.read_bytes(), source_org="lcps", reported_at=NOW)
    icu = by_type(result.events)["icu_bed"]
    assert icu.source == "lcps"
    assert icu.subject == "lcps/icu_bed"
    assert icu.time == datetime(2026, 11, 27, 5, 30, tzinfo=UTC)
    assert icu.data.valid_until == icu.time + timedelta(hours=24)
    assert icu.data.region == "vr17"
    assert icu.data.location is None


def test_an_uncounted_bed_type_is_a_note_not_a_refusal() -> None:
    """RehabLongTermCare has no hub type: named in the notes, the rest still imported."""
    result = have_to_events(FIXTURE.read_bytes(), source_org="lcps", reported_at=NOW)
    assert result.notes == ("Maasstad Ziekenhuis: bed type 'RehabLongTermCare' is not counted",)


def test_a_reimport_has_the_same_ids_and_another_document_other_ids() -> None:
    """Ids are deterministic per document and type, so the gateway drops a re-import."""
    first = have_to_events(FIXTURE.read_bytes(), source_org="lcps", reported_at=NOW)
    again = have_to_events(FIXTURE.read_bytes(), source_org="lcps", reported_at=NOW)
    other = have_to_events(one(), source_org="lcps", reported_at=NOW)
    assert [e.id for e in first.events] == [e.id for e in again.events]
    assert not {e.id for e in first.events} & {e.id for e in other.events}


def test_a_region_reporting_its_own_hospital_names_no_region() -> None:
    """vr19 reports the Goes hospital: region stays empty (its own), location is the hospital."""
    (event,) = have_to_events(one(), source_org="vr19", reported_at=NOW).events
    assert event.data.region is None
    assert event.data.location is not None
    assert event.data.location.place == "Admiraal De Ruyter Ziekenhuis"
    assert event.data.location.point == GeoPoint(lat=51.4975, lon=3.8906)
    assert event.time == NOW  # no lastUpdateTime: the import time


def test_without_baseline_the_total_is_the_available_count() -> None:
    """No baselineCount: total = available."""
    (event,) = have_to_events(one(baseline=""), source_org="lcps", reported_at=NOW).events
    assert (event.data.total, event.data.available) == (4, 4)


def test_more_available_than_baseline_counts_surge_beds() -> None:
    """15 available over a baseline of 12: total 15, noted as surge."""
    doc = one(available="15")
    (event,) = have_to_events(doc, source_org="lcps", reported_at=NOW).events
    assert (event.data.total, event.data.available) == (15, 15)
    assert "3 surge" in event.data.note


def test_a_closed_facility_counts_no_available_beds() -> None:
    """A facility whose status is Closed keeps its beds in total, none available."""
    doc = one(status="<facilityStatus><Value>Closed</Value></facilityStatus>")
    (event,) = have_to_events(doc, source_org="lcps", reported_at=NOW).events
    assert (event.data.total, event.data.available) == (12, 0)
    assert "operations Closed" in event.data.note


def test_have_1_0_hospital_status_is_read_too() -> None:
    """The HAVE 1.0 shape (HospitalStatus/Hospital, UpperCamel names) maps the same way."""
    doc = b"""<HospitalStatus xmlns="urn:oasis:names:tc:emergency:EDXL:HAVE:1.0">
      <Hospital>
        <Organization><OrganizationInformation><OrganizationID>H-1</OrganizationID>
        </OrganizationInformation></Organization>
        <HospitalBedCapacityStatus><BedCapacity><BedType>MedicalSurgical</BedType>
          <Capacity><CapacityStatus>VacantAvailable</CapacityStatus>
          <AvailableCount>20</AvailableCount><BaselineCount>200</BaselineCount></Capacity>
        </BedCapacity></HospitalBedCapacityStatus>
        <LastUpdateTime>2026-11-27T06:00:00Z</LastUpdateTime>
      </Hospital>
    </HospitalStatus>"""
    (event,) = have_to_events(doc, source_org="lcps", reported_at=NOW).events
    assert (event.data.resource_type, event.data.total, event.data.available) == (
        "hospital_bed",
        200,
        20,
    )


@pytest.mark.parametrize(
    ("bed_type", "code"),
    [
        ("AdultICU", "icu_bed"),
        ("Pediatric ICU", "paediatric_icu_bed"),
        ("neonatal_icu", "neonatal_icu_bed"),
        ("MedicalSurgical", "hospital_bed"),
        ("IC-bed", "icu_bed"),
        ("burn_bed", "burn_bed"),
        ("NurseryBeds", None),
    ],
)
def test_bed_types_map_to_reference_resource_types(bed_type: str, code: str | None) -> None:
    """HAVE names, Dutch names and hub codes map; the mapped codes are reference data."""
    assert bed_resource_type(bed_type) == code
    if code is not None:
        assert code in load_reference().resource_codes()


def refusal(doc: bytes) -> HaveRefused:
    """The refusal ``doc`` raises."""
    with pytest.raises(HaveRefused) as caught:
        have_to_events(doc, source_org="lcps", reported_at=NOW)
    assert caught.value.reason in REASONS
    return caught.value


def test_not_xml_and_not_have_are_refused_by_reason() -> None:
    """Garbage is xml_malformed; a CAP alert is not_have, with the route to use instead."""
    assert refusal(b"<HAVE").reason == "xml_malformed"
    cap = b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>'
    error = refusal(cap)
    assert error.reason == "not_have"
    assert error.fix is not None
    assert "/v1/cap" in error.fix


def test_a_doctype_is_refused_without_expanding_entities() -> None:
    """An XXE attempt never reads the file: the DOCTYPE itself is refused."""
    doc = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <HAVE xmlns="urn:oasis:names:tc:emergency:edxl:have:2.0"><facility>&e;</facility></HAVE>"""
    error = refusal(doc)
    assert error.reason == "xml_malformed"
    assert "root:" not in str(error)


def test_structure_violations_name_every_field() -> None:
    """Missing id, bed type and counts are listed by field, all at once."""
    doc = b"""<HAVE xmlns="urn:oasis:names:tc:emergency:edxl:have:2.0">
      <facility><bedCapacity><availableCount>many</availableCount></bedCapacity></facility>
      <facility><facilityID>B</facilityID><bedCapacity><bedType>AdultICU</bedType>
        <baselineCount>-1</baselineCount></bedCapacity>
        <lastUpdateTime>yesterday</lastUpdateTime></facility>
    </HAVE>"""
    with pytest.raises(HaveSchemaError) as caught:
        read_have(doc)
    fields = [v.field for v in caught.value.violations]
    assert fields == [
        "facility[1].facilityID",
        "facility[1].bedCapacity[1].availableCount",
        "facility[1].bedCapacity[1].bedType",
        "facility[2].bedCapacity[1].availableCount",
        "facility[2].bedCapacity[1].baselineCount",
        "facility[2].lastUpdateTime",
    ]
    assert caught.value.reason == "schema_invalid"


@pytest.mark.parametrize("count", ["²", "１２", "1e3", " ", "99999999", "+4"])
def test_counts_are_ascii_whole_numbers(count: str) -> None:
    """Unicode digits, exponents, signs and huge numbers are named violations, never crashes."""
    error = refusal(one(available=count))
    assert isinstance(error, HaveSchemaError)
    assert [v.field for v in error.violations] == ["facility[1].bedCapacity[1].availableCount"]


def test_a_document_without_facilities_is_schema_invalid() -> None:
    """An empty HAVE says nothing: refused naming the facility field."""
    error = refusal(b'<HAVE xmlns="urn:oasis:names:tc:emergency:edxl:have:2.0"/>')
    assert isinstance(error, HaveSchemaError)
    assert [v.field for v in error.violations] == ["facility"]


def test_only_uncounted_bed_types_is_no_capacity() -> None:
    """A document whose beds are all of types the hub does not count is refused."""
    assert refusal(one(bed_type="NurseryBeds")).reason == "no_capacity"


def test_bad_position_is_named() -> None:
    """A gml:pos outside WGS84 is a violation of that field."""
    doc = one().replace(b"51.4975 3.8906", b"151.4975 3.8906")
    error = refusal(doc)
    assert isinstance(error, HaveSchemaError)
    assert [v.field for v in error.violations] == ["facility[1].pos"]


def test_an_unknown_sender_is_refused_before_reading() -> None:
    """The source must be a known organisation (the registry's error, not a traceback)."""
    with pytest.raises(UnknownOrganisation, match="nobody"):
        have_to_events(one(), source_org="nobody", reported_at=NOW)


def test_a_facility_without_id_is_known_by_its_name() -> None:
    """HAVE 1.0 writes the name in xNL and may omit an id: the name stands in for it."""
    doc = b"""<have:HospitalStatus xmlns:have="urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"
        xmlns:xnl="urn:oasis:names:tc:ciq:xnl:3">
      <have:Hospital><have:Organization><have:OrganizationInformation>
        <xnl:OrganisationName><xnl:NameElement>Hospital 1</xnl:NameElement></xnl:OrganisationName>
      </have:OrganizationInformation></have:Organization>
      <have:HospitalBedCapacityStatus><have:BedCapacity><have:BedType>Burn</have:BedType>
        <have:Capacity><have:AvailableCount>10</have:AvailableCount></have:Capacity>
      </have:BedCapacity></have:HospitalBedCapacityStatus></have:Hospital>
    </have:HospitalStatus>"""
    (facility,) = read_have(doc)
    assert (facility.facility_id, facility.name) == ("Hospital 1", "Hospital 1")
    (event,) = have_to_events(doc, source_org="lcps", reported_at=NOW).events
    assert (event.data.resource_type, event.data.total, event.data.available) == (
        "burn_bed",
        10,
        10,
    )


LEAVES = re.compile(rb">([^<>]+)</")


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_any_leaf_value_gives_reports_or_a_named_refusal(data: st.DataObject) -> None:
    """Replacing any text value of the fixture never raises anything but HaveRefused."""
    document = FIXTURE.read_bytes()
    leaves = list(LEAVES.finditer(document))
    leaf = leaves[data.draw(st.integers(0, len(leaves) - 1), label="leaf")]
    text = data.draw(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30))
    value = text.replace("&", "&amp;").replace("<", "&lt;").encode()
    mutated = document[: leaf.start(1)] + value + document[leaf.end(1) :]
    outcome: HaveImport | HaveRefused
    try:
        outcome = have_to_events(mutated, source_org="lcps", reported_at=NOW)
    except HaveRefused as error:
        outcome = error
    if isinstance(outcome, HaveRefused):
        assert outcome.reason in REASONS
    else:
        assert all(e.data.available <= e.data.total for e in outcome.events)
