"""CAP 1.2 in: fixtures are imported or refused with a reason; Dutch alerts map to incidents."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.cap import REASONS, CapRefused, CapSchemaError, cap_event_id, cap_to_events
from connectors.edxl import REASONS as EDXL_REASONS
from connectors.edxl import edxl_to_events
from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentStatus,
    IncidentUpdated,
    Severity,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "cap"
FIXTURE_FILES = sorted(FIXTURES.glob("*.xml")) if FIXTURES.is_dir() else []
NO_FIXTURES = pytest.param(
    None, marks=pytest.mark.skip(reason=f"CAP fixtures not found at {FIXTURES}")
)
CAP_NS = b"urn:oasis:names:tc:emergency:cap:1.2"
CAP_FILES = [path for path in FIXTURE_FILES if CAP_NS in path.read_bytes()]
FIXTURE_PARAMS = [pytest.param(p, id=p.name) for p in FIXTURE_FILES] or [NO_FIXTURES]
CAP_PARAMS = [pytest.param(p, id=p.name) for p in CAP_FILES] or [NO_FIXTURES]
KNOWN_OUTCOMES = {
    "capt_example1.xml": "area_unmapped",
    "capt_example2.xml": "area_outside_nl",
    "capt_example3.xml": "area_outside_nl",
    "capt_example4.xml": "area_unmapped",
    "driver_example_earthquake.xml": "area_outside_nl",
    "driver_example_homeland_security.xml": "area_unmapped",
    "driver_example_thunderstorm.xml": "area_outside_nl",
    "samu_EDXL-DE.xml": "payload_unsupported",
}
"""What the shipped examples come to: all lie outside the Netherlands or carry no CAP.

``area_outside_nl`` where their geometry says so (California), ``area_unmapped`` where they
name places only."""

ALERT = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>lcms@vr19.nl</sender>
  <sent>{sent}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>{scope}</scope>{head}
  <info>
    <language>{language}</language>
    <category>{category}</category>
    <event>{event}</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>{certainty}</certainty>
    <headline>{headline}</headline>
    <description>De Westerscheldedijk is bezweken.</description>
    <instruction>Verlaat het gebied.</instruction>{parameters}
    <area>
      <areaDesc>{area_desc}</areaDesc>{area}
    </area>
  </info>
</alert>
"""

GEOCODE_VR19 = """
      <geocode><valueName>veiligheidsregio</valueName><value>VR19</value></geocode>"""


def _alert(**fields: str) -> bytes:
    """Return a Dutch CAP alert with ``fields`` replacing the defaults."""
    values = {
        "identifier": "vr19-2026-0412",
        "sent": "2026-11-27T04:52:00+01:00",
        "status": "Actual",
        "msg_type": "Alert",
        "scope": "Public",
        "head": "",
        "language": "nl-NL",
        "category": "Met",
        "event": "Overstroming",
        "severity": "Severe",
        "certainty": "Observed",
        "headline": "Dijkdoorbraak bij Kruiningen",
        "parameters": "",
        "area_desc": "Kruiningen",
        "area": GEOCODE_VR19,
    }
    return ALERT.format(**(values | fields)).encode()


def _refusal(xml: bytes, **options: str) -> CapRefused:
    """Return the refusal of ``xml``; fail if it is imported."""
    with pytest.raises(CapRefused) as caught:
        cap_to_events(xml, source_org="vr19", **options)  # type: ignore[arg-type]
    return caught.value


def _outcome(path: Path) -> str:
    """Return 'imported' or the reason why the fixture at ``path`` was refused."""
    if CAP_NS not in path.read_bytes():
        result = edxl_to_events(path.read_bytes(), source_org="vr19")
        assert all(refusal.message for refusal in result.refusals)
        return "imported" if result.events else ",".join(r.reason for r in result.refusals)
    refused: CapRefused | None = None
    try:
        cap_to_events(path.read_bytes(), source_org="vr19")
    except CapRefused as exc:
        refused = exc
    if refused is None:
        return "imported"
    assert refused.identifier is not None
    assert refused.identifier in str(refused)
    return refused.reason


@pytest.mark.parametrize("path", FIXTURE_PARAMS)
def test_every_fixture_is_imported_or_refused_with_a_reason(path: Path) -> None:
    """Each example in shared/fixtures/cap becomes events or a refusal with a known reason."""
    outcome = _outcome(path)
    assert outcome == "imported" or outcome in {*REASONS, *EDXL_REASONS}
    assert outcome != "schema_invalid"
    assert outcome == KNOWN_OUTCOMES.get(path.name, outcome)


@pytest.mark.parametrize("path", CAP_PARAMS)
def test_foreign_fixtures_import_with_a_fallback_region_unless_abroad(path: Path) -> None:
    """A fallback region maps a CAP fixture without geometry; geometry abroad is still refused."""
    if KNOWN_OUTCOMES.get(path.name) == "area_outside_nl":
        refused = _refusal(path.read_bytes(), fallback_region="vr19")
        assert refused.reason == "area_outside_nl"
        return
    result = cap_to_events(path.read_bytes(), source_org="vr19", fallback_region="vr19")
    expected = IncidentUpdated if b"<msgType>Update" in path.read_bytes() else IncidentReported
    assert isinstance(result.event, expected)
    assert any("fallback region vr19" in note for note in result.notes)


def test_a_dutch_alert_becomes_incident_reported() -> None:
    """Alert → incident.reported with category, regions, severity, GRIP and TLP mapped."""
    result = cap_to_events(_alert(), source_org="vr19")
    event = result.event
    assert isinstance(event, IncidentReported)
    assert event.data.category == "flood"
    assert event.data.regions == ("vr19",)
    assert event.data.severity is Severity.SEVERE
    assert event.data.grip_level == "2"
    assert event.tlp is Tlp.CLEAR
    assert event.subject == event.data.incident_id == "vr19:cap-lcms@vr19.nl-vr19-2026-0412"
    assert event.data.title == "Dijkdoorbraak bij Kruiningen"
    assert "Verlaat het gebied." in event.data.description
    assert result.notes == ()


def test_a_reimport_gives_the_same_event_id() -> None:
    """Ids are deterministic, so the gateway drops a re-imported alert as a duplicate."""
    first = cap_to_events(_alert(), source_org="vr19").event
    second = cap_to_events(_alert(), source_org="vr19").event
    assert first.id == second.id
    assert first.id == cap_event_id("vr19", "lcms@vr19.nl", "vr19-2026-0412", first.time)


def test_an_update_references_its_alert() -> None:
    """Update → incident.updated of the referenced alert's incident, caused by its event."""
    head = "\n  <references>lcms@vr19.nl,vr19-2026-0412,2026-11-27T04:52:00+01:00</references>"
    xml = _alert(identifier="vr19-2026-0412-2", msg_type="Update", head=head, severity="Extreme")
    event = cap_to_events(xml, source_org="vr19").event
    original = cap_to_events(_alert(), source_org="vr19").event
    assert isinstance(event, IncidentUpdated)
    assert event.data.incident_id == original.data.incident_id
    assert event.causationid == original.id
    assert event.data.severity is Severity.EXTREME
    assert event.data.status is IncidentStatus.ACTIVE
    assert event.data.grip_level is None


def test_a_cancel_closes_the_incident() -> None:
    """Cancel → incident.closed at the sent time, with the note as reason."""
    head = (
        "\n  <note>Bres gedicht</note>"
        "\n  <references>lcms@vr19.nl,vr19-2026-0412,2026-11-27T04:52:00+01:00</references>"
    )
    event = cap_to_events(_alert(msg_type="Cancel", head=head), source_org="vr19").event
    assert isinstance(event, IncidentClosed)
    assert event.data.reason == "Bres gedicht"
    assert event.data.closed_at == event.time


def test_an_update_without_references_is_refused() -> None:
    """An Update that names no earlier alert cannot find its incident."""
    assert _refusal(_alert(msg_type="Update")).reason == "references_invalid"


def test_the_incidents_element_names_the_incident() -> None:
    """A single <incidents> id is the local id, in the organisation's and sender's namespace."""
    xml = _alert(head="\n  <incidents>inc-vr19-2026-0412</incidents>")
    subject = cap_to_events(xml, source_org="vr19").event.subject
    assert subject == "vr19:cap-lcms@vr19.nl-inc-vr19-2026-0412"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "Exercise"}, "status_not_actual"),
        ({"msg_type": "Ack"}, "msgtype_unsupported"),
        ({"language": "de-DE"}, "language_unsupported"),
        ({"area_desc": "Antwerpen", "area": ""}, "area_unmapped"),
        ({"area": "\n      <polygon>51.4,3.9 51.5,4.0</polygon>"}, "area_invalid"),
    ],
)
def test_alerts_that_cannot_map_are_refused_with_a_reason(
    fields: dict[str, str], reason: str
) -> None:
    """Each unmappable alert is refused with its documented reason code."""
    assert _refusal(_alert(**fields)).reason == reason


def test_schema_violations_are_listed_with_line_numbers() -> None:
    """An alert that breaks CAP 1.2 is refused with every violation and its line."""
    xml = _alert(severity="Catastrophic", certainty="Sure")
    with pytest.raises(CapSchemaError) as caught:
        cap_to_events(xml, source_org="vr19")
    lines = [violation.line for violation in caught.value.violations]
    assert lines == [14, 15]
    assert "severity" in caught.value.message
    assert "line 14" in str(caught.value)
    assert caught.value.identifier == "vr19-2026-0412"


def test_malformed_xml_is_refused() -> None:
    """Bytes that are not XML are refused as xml_malformed, with the position."""
    refused = _refusal(b"<alert><identifier>x</alert>")
    assert refused.reason == "xml_malformed"
    assert "line 1" in refused.message


def test_a_doctype_is_refused() -> None:
    """A DOCTYPE (and so any external entity, XXE) is refused before anything is read."""
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier>'
        b"</alert>"
    )
    refused = _refusal(xml)
    assert refused.reason == "xml_malformed"
    assert "DOCTYPE" in refused.message


@pytest.mark.parametrize(
    ("area", "regions"),
    [
        ("\n      <circle>51.4467,4.0331 0</circle>", ("vr19",)),
        ("\n      <circle>51.95,5.5 28</circle>", ("vr07", "vr08", "vr09", "vr21")),
        (
            "\n      <polygon>51.2,3.3 51.7,3.3 51.7,4.3 51.2,4.3 51.2,3.3</polygon>",
            ("vr17", "vr19", "vr20"),
        ),
    ],
)
def test_geometry_maps_to_regions(area: str, regions: tuple[str, ...]) -> None:
    """Circles and polygons map to the regions they overlap, by the regions' boundaries."""
    event = cap_to_events(_alert(area_desc="Zuidwest", area=area), source_org="vr19").event
    assert isinstance(event, IncidentReported)
    assert event.data.regions == regions


def test_a_region_name_in_area_desc_maps() -> None:
    """An areaDesc that is a region's name maps to that region."""
    xml = _alert(area_desc="Veiligheidsregio Midden- en West-Brabant", area="")
    event = cap_to_events(xml, source_org="vr20").event
    assert isinstance(event, IncidentReported)
    assert event.data.regions == ("vr20",)


def test_the_first_dutch_or_english_info_block_is_used() -> None:
    """With several info blocks the first in nl or en is mapped, and a note says so."""
    german = "<info><language>de-DE</language><category>Met</category><event>Flut</event>"
    german += "<urgency>Immediate</urgency><severity>Minor</severity>"
    german += "<certainty>Observed</certainty></info>\n  <info>"
    xml = _alert().replace(b"<info>", german.encode(), 1)
    result = cap_to_events(xml, source_org="vr19")
    assert result.event.data.severity is Severity.SEVERE  # type: ignore[union-attr]
    assert result.notes == ("used info block 2 of 2 (language nl-NL)",)


def test_unknown_categories_map_to_other_with_a_note() -> None:
    """An event with no hub category becomes 'other', and a note says so."""
    xml = _alert(category="Geo", event="Aardbeving", headline="Aardbeving bij Huizinge")
    result = cap_to_events(xml, source_org="vr19")
    assert isinstance(result.event, IncidentReported)
    assert result.event.data.category == "other"
    assert "mapped to 'other'" in result.notes[0]


@pytest.mark.parametrize(
    ("severity", "certainty", "expected", "grip"),
    [
        ("Extreme", "Observed", Severity.EXTREME, "3"),
        ("Moderate", "Likely", Severity.MODERATE, "1"),
        ("Severe", "Unlikely", Severity.MODERATE, "1"),
        ("Unknown", "Observed", Severity.SEVERE, "2"),
        ("Minor", "Unlikely", Severity.MINOR, "0"),
    ],
)
def test_severity_and_default_grip(
    severity: str, certainty: str, expected: Severity, grip: str
) -> None:
    """Severity comes from CAP severity, urgency and certainty; GRIP defaults by severity."""
    event = cap_to_events(_alert(severity=severity, certainty=certainty), source_org="vr19").event
    assert isinstance(event, IncidentReported)
    assert (event.data.severity, event.data.grip_level) == (expected, grip)


def test_grip_comes_from_a_parameter_or_the_caller() -> None:
    """A CAP parameter GRIP sets the level; the caller's grip_level wins over it."""
    parameters = "\n    <parameter><valueName>GRIP</valueName><value>4</value></parameter>"
    xml = _alert(parameters=parameters)
    from_parameter = cap_to_events(xml, source_org="vr19").event
    from_caller = cap_to_events(xml, source_org="vr19", grip_level="RIJK").event
    assert from_parameter.data.grip_level == "4"  # type: ignore[union-attr]
    assert from_caller.data.grip_level == "RIJK"  # type: ignore[union-attr]


def test_restricted_alerts_keep_their_tlp_and_known_addressees() -> None:
    """TLP from <restriction>; addresses that are hub organisations become recipients."""
    head = (
        "\n  <restriction>TLP:AMBER+STRICT</restriction>"
        '\n  <addresses>vr20 ncc "LCMS Zeeland"</addresses>'
    )
    event = cap_to_events(_alert(scope="Restricted", head=head), source_org="vr19").event
    assert event.tlp is Tlp.AMBER_STRICT
    assert event.recipients == ("vr20", "ncc")
