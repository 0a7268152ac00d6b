"""CAP 1.2 out: signals, validated advice and incident warnings validate against the XSD."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from connectors.cap import (
    advice_to_cap,
    cap_time,
    cap_to_events,
    incident_to_cap,
    signal_to_cap,
)
from connectors.cap.writer import CapFolderWriter
from connectors.schemas import CAP_1_2_XSD, load_schema
from hub.contracts.events.advice import AdviceParameter
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentUpdated,
    Severity,
)
from hub.contracts.outputs import AdvicePublished, EscalationEvent
from hub.contracts.outputs.advice import (
    AdviceDraftData,
    AdviceLine,
    AdvicePublishedData,
    Verdict,
)
from hub.contracts.outputs.base import output_event_id
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


EXPLANATION = (
    "Measure 'evacuate' in Zeeland (vr19): feasible with assistance. Needs: 7200 shelter_place."
    " Needs assistance from outside the region: shelter_place (need 7200, available 2000 in the"
    " region, 10000 with neighbours, 15000 nationally)."
)


def _advice(
    measure: str = "evacuate", verdict: Verdict = "feasible_with_assistance", **envelope: Any
) -> AdvicePublished:
    """Return the LOCC's validation of an advice on ``measure`` in Zeeland, for min-jenv."""
    at = datetime(2026, 11, 27, 10, 2, 30, 250_000, tzinfo=UTC)
    draft = AdviceDraftData(
        advice_id="adv-evac",
        requester="min-jenv",
        measure=measure,
        parameters=(
            AdviceParameter(name="people", value=12000),
            AdviceParameter(name="x", value=0.5),
        ),
        region="vr19",
        incident_id="inc-z",
        verdict=verdict,
        explanation=EXPLANATION,
        lines=(
            AdviceLine(
                resource_type="shelter_place",
                unit="bed",
                need=7200,
                available_region=2000,
                available_with_neighbours=10000,
                available_national=15000,
                assessment="needs_assistance",
            ),
        ),
        needs_assistance=("shelter_place",),
        neighbours=("vr20",),
        drafted_at=at.replace(minute=1),
    )
    data = AdvicePublishedData(
        advice_id="adv-evac",
        draft=draft,
        validated_by="locc",
        note="Akkoord, LOCC",
        validated_event_id="locc-validation-1",
    )
    fields: dict[str, Any] = {
        "id": output_event_id("adv-evac/locc-validation-1", "published", 3),
        "subject": "adv-evac",
        "time": at,
        "tlp": Tlp.AMBER_STRICT,
        "recipients": ("min-jenv",),
        **envelope,
    }
    return AdvicePublished(data=data, **fields)


def test_validated_advice_becomes_a_valid_safety_alert() -> None:
    """A validated evacuation advice is a valid Safety Alert, mapped as the module documents."""
    root = _valid(advice_to_cap(_advice()))
    head = [_text(root, f"cap:{name}") for name in ("identifier", "sender", "sent", "msgType")]
    assert head == ["kcr-advice-adv-evac", "kcr-hub", "2026-11-27T10:02:30-00:00", "Alert"]
    assert (_text(root, "cap:scope"), _text(root, "cap:restriction")) == (
        "Restricted",
        "TLP:AMBER+STRICT",
    )
    assert _text(root, "cap:addresses") == "min-jenv"
    assert _text(root, "cap:incidents") == "adv-evac inc-z"
    assert _text(root, "cap:note") == "Akkoord, LOCC"
    info = {etree.QName(child).localname: child.text for child in root.iterfind("cap:info/*", NS)}
    kinds = ("category", "responseType", "urgency", "severity", "certainty")
    assert [info[kind] for kind in kinds] == ["Safety", "Evacuate", "Expected", "Severe", "Likely"]
    assert info["event"] == "KCR advice: evacuate"
    assert info["headline"] == "Advice evacuate in Zeeland: feasible with assistance"
    assert info["description"] == EXPLANATION
    assert _text(root, "cap:info/cap:area/cap:areaDesc") == "Zeeland"
    assert _text(root, "cap:info/cap:area/cap:geocode/cap:value") == "vr19"
    codes = _pairs(root, "eventCode")
    assert codes == {"nl.kcr.measure": "evacuate", "nl.kcr.verdict": "feasible_with_assistance"}
    params = _pairs(root, "parameter")
    assert (params["nl.kcr.parameter.people"], params["nl.kcr.parameter.x"]) == ("12000", "0.5")
    assert params["nl.kcr.validated_by"] == "locc"


def _pairs(root: etree._Element, name: str) -> dict[str, str]:
    """Return the valueName → value pairs of the info's ``name`` elements."""
    return {
        _text(pair, "cap:valueName"): _text(pair, "cap:value")
        for pair in root.findall(f"cap:info/cap:{name}", NS)
    }


def test_other_measures_ask_to_prepare() -> None:
    """A measure other than evacuate is a Moderate alert with responseType Prepare."""
    root = _valid(advice_to_cap(_advice("reinforce_dike")))
    assert _text(root, "cap:info/cap:responseType") == "Prepare"
    assert _text(root, "cap:info/cap:severity") == "Moderate"


def test_an_infeasible_evacuation_asks_to_assess_not_to_evacuate() -> None:
    """Validated advice that an evacuation is not feasible never says 'Evacuate'."""
    root = _valid(advice_to_cap(_advice(verdict="not_feasible")))
    assert _text(root, "cap:info/cap:responseType") == "Assess"


def test_advice_alert_ids_are_deterministic() -> None:
    """The same advice gives the same bytes; the identifier is the advice id's alone."""
    assert advice_to_cap(_advice()) == advice_to_cap(_advice())
    replayed = _advice(id=output_event_id("adv-evac/locc-validation-1", "published", 9))
    assert _text(_valid(advice_to_cap(replayed)), "cap:identifier") == "kcr-advice-adv-evac"
    other = _advice().model_copy(
        update={"data": _advice().data.model_copy(update={"advice_id": "adv other,1"})}
    )
    assert _text(_valid(advice_to_cap(other)), "cap:identifier") == "kcr-advice-adv_other_1"


def test_red_advice_is_private_to_its_recipients() -> None:
    """A RED advice is a Private alert addressed to its recipients, with no restriction."""
    root = _valid(advice_to_cap(_advice(tlp=Tlp.RED, recipients=("min-jenv", "locc"))))
    assert _text(root, "cap:scope") == "Private"
    assert _text(root, "cap:addresses") == "min-jenv locc"
    assert root.find("cap:restriction", NS) is None


def test_the_folder_writer_writes_validated_advice(tmp_path: Path) -> None:
    """CapFolderWriter writes a validated advice as a CAP file named by its identifier."""
    path = CapFolderWriter(tmp_path).write(_advice())
    assert path == tmp_path / "kcr-advice-adv-evac.xml"
    assert _text(_valid(path.read_bytes()), "cap:info/cap:responseType") == "Evacuate"
