"""CAP 1.2 out: signals and incident warnings validate against the XSD and read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree

from connectors.cap import cap_time, cap_to_events, incident_to_cap, signal_to_cap
from connectors.schemas import CAP_1_2_XSD, load_schema
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentUpdated,
    Severity,
)
from hub.contracts.outputs import EscalationEvent
from hub.contracts.outputs.signals import (
    EscalationData,
    EscalationRaised,
    EscalationResolved,
    EscalationUpdated,
    SignalSeverity,
    signal_event_id,
)

Example = Callable[[str], dict[str, Any]]
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
SIGNAL_ID = "grip-high/inc-vr19-2026-0412"
SINCE = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)


def _signal(cls: type[EscalationEvent], tick: int, **envelope: Any) -> EscalationEvent:
    """Return a GRIP signal event of ``cls`` observed ``tick`` minutes after it was raised."""
    observed = SINCE.replace(minute=15 + tick)
    data = EscalationData(
        signal_id=SIGNAL_ID,
        rule="grip_high",
        severity=SignalSeverity.CRITICAL,
        title="GRIP 4 in Zeeland: dijkdoorbraak Kruiningen",
        details="Zeeland meldt GRIP 4; Midden- en West-Brabant bereidt evacuatie voor.",
        regions=("vr19", "vr20"),
        evidence=("ff9f8932-eb5e-5f00-9d78-6926eb994fcd",),
        since=SINCE,
        observed_at=observed,
    )
    event_id = signal_event_id(SIGNAL_ID, cls.declared_type().rsplit(".", 1)[1], tick)
    return cls(id=event_id, subject=SIGNAL_ID, time=observed, data=data, **envelope)


def _valid(xml: bytes) -> etree._Element:
    """Return the root of ``xml`` after asserting it validates against CAP 1.2."""
    root = etree.fromstring(xml)
    schema = load_schema(CAP_1_2_XSD)
    assert schema.validate(root), schema.error_log
    return root


def _text(root: etree._Element, path: str) -> str:
    """Return the text at the CAP ``path`` (prefix ``cap:``)."""
    return str(root.findtext(path, namespaces=NS))


@pytest.mark.parametrize(
    ("cls", "msg_type"),
    [(EscalationRaised, "Alert"), (EscalationUpdated, "Update"), (EscalationResolved, "Cancel")],
)
def test_signals_become_valid_cap(cls: type[EscalationEvent], msg_type: str) -> None:
    """Raised, updated and resolved signals become a valid Alert, Update and Cancel."""
    root = _valid(signal_to_cap(_signal(cls, 0 if cls is EscalationRaised else 5)))
    assert _text(root, "cap:msgType") == msg_type
    assert _text(root, "cap:scope") == "Restricted"
    assert _text(root, "cap:restriction") == "TLP:AMBER"
    assert _text(root, "cap:incidents") == SIGNAL_ID
    assert _text(root, "cap:info/cap:headline").startswith("GRIP 4 in Zeeland")
    codes = root.findall("cap:info/cap:area/cap:geocode/cap:value", namespaces=NS)
    assert [code.text for code in codes] == ["vr19", "vr20"]


def test_updates_and_cancels_reference_the_raised_alert() -> None:
    """The references of an Update and a Cancel name the identifier and time of the Alert."""
    raised = _valid(signal_to_cap(_signal(EscalationRaised, 0)))
    original = ",".join(
        (_text(raised, "cap:sender"), _text(raised, "cap:identifier"), _text(raised, "cap:sent"))
    )
    for cls in (EscalationUpdated, EscalationResolved):
        root = _valid(signal_to_cap(_signal(cls, 7)))
        assert _text(root, "cap:references") == original
        assert _text(root, "cap:identifier") != _text(raised, "cap:identifier")


def test_red_signals_are_private_to_their_recipients() -> None:
    """A RED signal is a Private alert addressed to its recipients."""
    event = _signal(EscalationRaised, 0, tlp=Tlp.RED, recipients=("ncc", "vr19"))
    root = _valid(signal_to_cap(event))
    assert _text(root, "cap:scope") == "Private"
    assert _text(root, "cap:addresses") == "ncc vr19"


def test_cap_times_are_utc_in_caps_form() -> None:
    """CAP times have no 'Z' and no fractions: UTC is written -00:00."""
    assert cap_time(datetime(2026, 11, 27, 4, 52, 1, 999, tzinfo=UTC)) == (
        "2026-11-27T04:52:01-00:00"
    )


def test_incident_warnings_round_trip(example: Example) -> None:
    """A reported incident becomes a valid CAP Alert that imports as the same incident."""
    reported = parse_event(example("nl.kcr.incident.reported"))
    assert isinstance(reported, IncidentReported)
    xml = incident_to_cap(reported, instruction="Ga naar hoger gelegen gebied.")
    root = _valid(xml)
    assert _text(root, "cap:info/cap:instruction") == "Ga naar hoger gelegen gebied."
    event = cap_to_events(xml, source_org="vr19").event
    assert isinstance(event, IncidentReported)
    data, original = event.data, reported.data
    assert (data.incident_id, data.category, data.regions) == (
        original.incident_id,
        original.category,
        original.regions,
    )
    assert (data.severity, data.grip_level, data.location) == (
        original.severity,
        original.grip_level,
        original.location,
    )
    assert event.tlp is reported.tlp


def test_incident_updates_and_closures_become_update_and_cancel(example: Example) -> None:
    """An update and a closure become a valid Update and Cancel of the incident."""
    reported = parse_event(example("nl.kcr.incident.reported"))
    updated = parse_event(example("nl.kcr.incident.updated"))
    closed = parse_event(example("nl.kcr.incident.closed"))
    assert isinstance(reported, IncidentReported)
    assert isinstance(updated, IncidentUpdated)
    assert isinstance(closed, IncidentClosed)
    update = cap_to_events(_valid_bytes(incident_to_cap(reported, updated)), source_org="vr19")
    cancel = cap_to_events(_valid_bytes(incident_to_cap(reported, closed)), source_org="vr19")
    assert isinstance(update.event, IncidentUpdated)
    assert update.event.data.regions == ("vr19", "vr20")
    assert update.event.data.grip_level == "4"
    assert update.event.data.severity is Severity.EXTREME
    assert isinstance(cancel.event, IncidentClosed)
    assert cancel.event.data.reason == closed.data.reason
    alert = cap_to_events(incident_to_cap(reported), source_org="vr19").event
    assert update.event.causationid == cancel.event.causationid == alert.id


def _valid_bytes(xml: bytes) -> bytes:
    """Return ``xml`` after asserting it validates against CAP 1.2."""
    _valid(xml)
    return xml
