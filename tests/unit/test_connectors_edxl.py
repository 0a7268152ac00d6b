"""EDXL-DE: unwrap 1.0 and 2.0 envelopes, wrap hub outputs as 2.0, and map their payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.cap import incident_to_cap
from connectors.edxl import (
    CLOUDEVENTS_JSON,
    EdxlRefused,
    edxl_to_events,
    unwrap_edxl,
    wrap_edxl,
)
from hub.contracts.events.catalogue import parse_event, to_cloudevent_json
from hub.contracts.events.incident import IncidentReported

Example = Callable[[str], dict[str, Any]]
SAMU = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "cap" / "samu_EDXL-DE.xml"
needs_samu = pytest.mark.skipif(not SAMU.is_file(), reason=f"EDXL-DE fixture not found: {SAMU}")

DE_1_0 = b"""<?xml version="1.0" encoding="UTF-8"?>
<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">
  <distributionID>vr17-de-2026-0099</distributionID>
  <senderID>lms@vr17.nl</senderID>
  <dateTimeSent>2026-11-27T05:00:00+01:00</dateTimeSent>
  <distributionStatus>%(status)s</distributionStatus>
  <distributionType>Report</distributionType>
  <combinedConfidentiality>UNCLASSIFIED</combinedConfidentiality>
  <explicitAddress>
    <explicitAddressScheme>kcr</explicitAddressScheme>
    <explicitAddressValue>ncc</explicitAddressValue>
    <explicitAddressValue>vr19</explicitAddressValue>
  </explicitAddress>
  <contentObject>
    <contentDescription>Waarschuwing</contentDescription>
    <xmlContent>
      <embeddedXMLContent>%(payload)s</embeddedXMLContent>
    </xmlContent>
  </contentObject>
  <contentObject>
    <nonXMLContent>
      <mimeType>text/plain</mimeType>
      <contentData>SG9vZ3dhdGVyIGluIGRlIFJpam5tb25k</contentData>
    </nonXMLContent>
  </contentObject>
</EDXLDistribution>
"""

CAP_ALERT = """<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>vr17-2026-0099</identifier><sender>lms@vr17.nl</sender>
  <sent>2026-11-27T05:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope>
  <info><language>nl-NL</language><category>Met</category><event>Hoogwater</event>
    <urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty>
    <headline>Hoogwater Nieuwe Maas</headline>
    <area><areaDesc>Rotterdam-Rijnmond</areaDesc></area></info>
</alert>"""


def _de_1_0(status: str = "Actual", payload: str = CAP_ALERT) -> bytes:
    """Return an EDXL-DE 1.0 distribution carrying ``payload`` and a text object."""
    return DE_1_0 % {b"status": status.encode(), b"payload": payload.encode()}


@needs_samu
def test_the_samu_fixture_unwraps() -> None:
    """The EDXL-DE 2.0 fixture yields its envelope metadata and its one XML payload."""
    message = unwrap_edxl(SAMU.read_bytes())
    envelope = message.envelope
    assert envelope.version == "2.0"
    assert envelope.distribution_id == "fr.health.samuB_2608323d-507d-4cbf-bf74-52007f8124ea"
    assert envelope.sender_id == "fr.health.samuB"
    assert (envelope.status, envelope.kind) == ("Actual", "Report")
    assert envelope.recipients == ("fr.health.samuA",)
    assert envelope.sent_at == datetime(2022, 7, 25, 9, 4, 34, tzinfo=UTC)
    [payload] = message.payloads
    assert payload.root == "{urn:emergency:cisu:2.0}message"
    assert payload.xml is not None
    assert payload.xml.rstrip().endswith(b"</message>")


@needs_samu
def test_the_samu_payload_is_refused_with_a_reason() -> None:
    """A payload the hub has no mapping for is refused, not dropped silently."""
    result = edxl_to_events(SAMU.read_bytes(), source_org="vr19")
    assert result.events == ()
    [refusal] = result.refusals
    assert (refusal.index, refusal.reason) == (1, "payload_unsupported")
    assert "urn:emergency:cisu:2.0" in refusal.message


def test_edxl_de_1_0_unwraps() -> None:
    """A 1.0 envelope: distributionType as kind, top-level addresses, both content kinds."""
    message = unwrap_edxl(_de_1_0())
    assert message.envelope.version == "1.0"
    assert message.envelope.kind == "Report"
    assert message.envelope.recipients == ("ncc", "vr19")
    xml_payload, text_payload = message.payloads
    assert xml_payload.root == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    assert xml_payload.description == "Waarschuwing"
    assert (text_payload.mime_type, text_payload.data) == (
        "text/plain",
        b"Hoogwater in de Rijnmond",
    )


def test_an_embedded_cap_alert_becomes_an_incident() -> None:
    """CAP inside EDXL-DE is mapped like CAP on its own; other payloads are listed refused."""
    result = edxl_to_events(_de_1_0(), source_org="vr17")
    [event] = result.events
    assert isinstance(event, IncidentReported)
    assert event.data.regions == ("vr17",)
    assert event.data.category == "flood"
    [refusal] = result.refusals
    assert (refusal.index, refusal.reason) == (2, "payload_unsupported")


def test_an_unmappable_embedded_alert_is_refused_with_the_cap_reason() -> None:
    """A CAP refusal inside an envelope keeps its reason, prefixed 'cap:'."""
    alert = CAP_ALERT.replace("Rotterdam-Rijnmond", "Antwerpen")
    result = edxl_to_events(_de_1_0(payload=alert), source_org="vr17")
    assert [r.reason for r in result.refusals] == ["cap:area_unmapped", "payload_unsupported"]


def test_wrap_and_unwrap_round_trip(example: Example) -> None:
    """A wrapped event unwraps to its id, sender, addressees, CAP payload and CloudEvent."""
    reported = parse_event(example("nl.kcr.incident.reported"))
    assert isinstance(reported, IncidentReported)
    cap = incident_to_cap(reported)
    message = unwrap_edxl(wrap_edxl(reported, payloads=[cap], recipients=["vr20", "ncc"]))
    envelope = message.envelope
    assert (envelope.version, envelope.distribution_id, envelope.sender_id) == (
        "2.0",
        reported.id,
        "hub",
    )
    assert (envelope.status, envelope.kind) == ("Actual", "Report")
    assert envelope.recipients == ("vr20", "ncc")
    assert envelope.sent_at == reported.time
    assert ("urn:kcr:event-type", "nl.kcr.incident.reported") in envelope.keywords
    cap_payload, json_payload = message.payloads
    assert cap_payload.xml is not None
    assert cap_payload.root == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    assert json_payload.mime_type == CLOUDEVENTS_JSON
    assert json_payload.data is not None
    assert json.loads(json_payload.data) == to_cloudevent_json(reported)


def test_a_wrapped_event_imports_back_once_per_payload(example: Example) -> None:
    """Both payloads of a wrapped incident map back to the incident."""
    reported = parse_event(example("nl.kcr.incident.reported"))
    assert isinstance(reported, IncidentReported)
    xml = wrap_edxl(reported, payloads=[incident_to_cap(reported)])
    result = edxl_to_events(xml, source_org="vr19")
    assert result.refusals == ()
    from_cap, from_json = result.events
    assert from_json == reported
    assert from_cap.subject == reported.subject


def test_the_event_recipients_are_the_default_addressees(example: Example) -> None:
    """Without explicit recipients the event's own become the explicit addresses."""
    document = example("nl.kcr.incident.reported") | {"tlp": "RED", "recipients": "ncc,vr20"}
    message = unwrap_edxl(wrap_edxl(parse_event(document)))
    assert message.envelope.recipients == ("ncc", "vr20")


def test_embedded_events_from_another_source_are_refused(example: Example) -> None:
    """A hub CloudEvent whose source is not the sender is refused as source_mismatch."""
    xml = wrap_edxl(parse_event(example("nl.kcr.incident.reported")))
    [refusal] = edxl_to_events(xml, source_org="vr20").refusals
    assert refusal.reason == "source_mismatch"


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<EDXLDistribution", "xml_malformed"),
        (b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>', "not_edxl"),
        (_de_1_0().replace(b"<senderID>lms@vr17.nl</senderID>", b""), "envelope_invalid"),
        (_de_1_0().replace(b"+01:00</dateTime", b"</dateTime"), "envelope_invalid"),
    ],
)
def test_unreadable_envelopes_are_refused(xml: bytes, reason: str) -> None:
    """Malformed, foreign and incomplete envelopes are refused with a reason."""
    with pytest.raises(EdxlRefused) as caught:
        unwrap_edxl(xml)
    assert caught.value.reason == reason


def test_exercise_distributions_are_refused() -> None:
    """A distribution whose status is not Actual never enters the log."""
    with pytest.raises(EdxlRefused) as caught:
        edxl_to_events(_de_1_0(status="Exercise"), source_org="vr17")
    assert caught.value.reason == "status_not_actual"
