"""CAP in: ids namespaced by sender, references to one's own alerts only, areas abroad refused."""

from __future__ import annotations

import pytest

from connectors.cap import CapRefused, cap_to_events
from connectors.cap.inbound import IncidentEvent
from hub.contracts.events.incident import IncidentClosed, IncidentReported, IncidentUpdated

CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>2026-11-27T04:52:00+01:00</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>{head}
  <info>
    <language>nl-NL</language>
    <category>{category}</category>
    <event>{event}</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>{headline}</headline>{area}
  </info>
</alert>
"""

KRUININGEN = """
    <area><areaDesc>Kruiningen</areaDesc><circle>51.447,4.033 1</circle></area>"""


def _cap(**fields: str) -> bytes:
    values = {
        "identifier": "177062",
        "sender": "lcms@vr19.nl",
        "msg_type": "Alert",
        "head": "",
        "category": "Met",
        "event": "Storm",
        "headline": "Zware storm",
        "area": KRUININGEN,
    }
    return CAP.format(**(values | fields)).encode()


def _event(xml: bytes, source_org: str = "vr19", **options: str) -> IncidentEvent:
    return cap_to_events(xml, source_org=source_org, **options).event  # type: ignore[arg-type]


def _refused(xml: bytes, **options: str) -> CapRefused:
    with pytest.raises(CapRefused) as caught:
        cap_to_events(xml, source_org="vr19", **options)  # type: ignore[arg-type]
    return caught.value


def _ref(sender: str, identifier: str = "177062") -> str:
    return f"\n  <references>{sender},{identifier},2026-11-27T04:52:00+01:00</references>"


# --- ids namespaced by sender -------------------------------------------------------------


def test_two_senders_with_the_same_incidents_value_get_two_incidents() -> None:
    """<incidents>Tsunami</incidents> from two senders of one feed names two incidents."""
    head = "\n  <incidents>Tsunami</incidents>"
    first = _event(_cap(sender="lcms@vr19.nl", head=head))
    second = _event(_cap(sender="meldkamer@zeeland.nl", identifier="9", head=head))
    assert first.data.incident_id == "vr19:cap-lcms@vr19.nl-Tsunami"
    assert second.data.incident_id == "vr19:cap-meldkamer@zeeland.nl-Tsunami"


def test_two_organisations_with_the_same_local_id_get_two_incidents() -> None:
    """The same alert through two importing organisations lies in two namespaces."""
    assert _event(_cap(), "vr19").data.incident_id.startswith("vr19:")
    assert _event(_cap(), "vr20").data.incident_id.startswith("vr20:")


def test_an_alert_naming_the_first_alert_in_incidents_joins_its_incident() -> None:
    """CAP's <incidents> names the first alert: both alerts map to one incident."""
    first = _event(_cap())
    follow = _event(_cap(identifier="177063", head="\n  <incidents>177062</incidents>"))
    assert follow.data.incident_id == first.data.incident_id


def test_the_hubs_own_cap_keeps_its_ids() -> None:
    """Sender kcr-hub names hub-wide ids: no namespace is added."""
    event = _event(_cap(sender="kcr-hub", head="\n  <incidents>inc-42</incidents>"))
    assert event.data.incident_id == "inc-42"


# --- updates and cancels resolve in their own sender's namespace --------------------------


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_an_update_or_cancel_reaches_its_own_senders_incident(msg_type: str) -> None:
    """An Update or Cancel referencing the sender's own alert names that alert's incident."""
    original = _event(_cap())
    event = _event(_cap(identifier="177062-2", msg_type=msg_type, head=_ref("lcms@vr19.nl")))
    assert isinstance(event, IncidentUpdated if msg_type == "Update" else IncidentClosed)
    assert event.data.incident_id == original.data.incident_id


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_references_to_another_sender_are_refused(msg_type: str) -> None:
    """A sender may not update or cancel another sender's alert: reference_foreign."""
    xml = _cap(
        sender="dwd@warnung.de", identifier="x-1", msg_type=msg_type, head=_ref("lcms@vr19.nl")
    )
    refused = _refused(xml)
    assert refused.reason == "reference_foreign"
    assert "lcms@vr19.nl" in refused.message
    assert refused.fix is not None


def test_one_foreign_reference_among_own_ones_is_refused() -> None:
    """Every reference must be the sender's own, not only the first."""
    sent = "2026-11-27T04:52:00+01:00"
    head = f"\n  <references>lcms@vr19.nl,177062,{sent} meldkamer@zeeland.nl,5,{sent}</references>"
    xml = _cap(identifier="177062-3", msg_type="Update", head=head)
    assert _refused(xml).reason == "reference_foreign"


def test_an_alert_may_cite_another_senders_alert() -> None:
    """A new Alert that references another sender's alert only cites it: its own incident."""
    event = _event(_cap(sender="meldkamer@zeeland.nl", identifier="9", head=_ref("lcms@vr19.nl")))
    assert isinstance(event, IncidentReported)
    assert event.data.incident_id == "vr19:cap-meldkamer@zeeland.nl-9"


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_a_foreign_senders_arealess_change_cannot_reach_a_dutch_incident(msg_type: str) -> None:
    """Without an area, a foreign sender's Update/Cancel resolves only in its own namespace.

    Its alert abroad was refused, so the incident it names was never created (the gateway
    admits it and the projection ignores it); it never names the Dutch sender's incident.
    """
    dutch = _event(_cap(head="\n  <incidents>storm-1</incidents>"))
    emden = "\n    <area><areaDesc>Emden</areaDesc><circle>53.367,7.206 3</circle></area>"
    abroad = _cap(sender="dwd@warnung.de", head="\n  <incidents>storm-1</incidents>", area=emden)
    change = _event(
        _cap(
            sender="dwd@warnung.de",
            identifier="dwd-2",
            msg_type=msg_type,
            head="\n  <incidents>storm-1</incidents>",
            area="",
        )
    )
    assert change.data.incident_id == "vr19:cap-dwd@warnung.de-storm-1"
    assert change.data.incident_id != dutch.data.incident_id
    assert _refused(abroad).reason == "area_outside_nl"


def test_an_update_whose_areas_lie_abroad_is_refused() -> None:
    """An Update with only foreign geometry is refused area_outside_nl, not applied."""
    aachen = "\n    <area><areaDesc>Aachen</areaDesc><circle>50.776,6.084 1</circle></area>"
    xml = _cap(identifier="177062-2", msg_type="Update", head=_ref("lcms@vr19.nl"), area=aachen)
    assert _refused(xml).reason == "area_outside_nl"


# --- areas abroad --------------------------------------------------------------------------

ABROAD = {
    "Aachen": "50.74,6.03 50.80,6.03 50.80,6.13 50.74,6.13 50.74,6.03",
    "Kleve": "51.77,6.10 51.81,6.10 51.81,6.17 51.77,6.17 51.77,6.10",
    "Borken": "51.82,6.82 51.86,6.82 51.86,6.90 51.82,6.90 51.82,6.82",
    "Emden": "53.34,7.17 53.39,7.17 53.39,7.24 53.34,7.24 53.34,7.17",
    "Antwerpen": "51.19,4.36 51.25,4.36 51.25,4.44 51.19,4.44 51.19,4.36",
    "Gent": "51.02,3.68 51.08,3.68 51.08,3.77 51.02,3.77 51.02,3.68",
}


@pytest.mark.parametrize("place", sorted(ABROAD))
def test_an_alert_wholly_abroad_is_refused_even_with_a_fallback(place: str) -> None:
    """Polygons in Aachen, Kleve, Borken, Emden, Antwerpen, Gent: area_outside_nl."""
    area = f"\n    <area><areaDesc>{place}</areaDesc><polygon>{ABROAD[place]}</polygon></area>"
    for options in ({}, {"fallback_region": "vr19"}):
        refused = _refused(_cap(area=area), **options)
        assert refused.reason == "area_outside_nl"
        assert place in refused.message


def test_an_alert_over_the_border_maps_to_its_dutch_part() -> None:
    """A polygon from Antwerpen to Bergen op Zoom maps to West-Brabant only."""
    area = (
        "\n    <area><areaDesc>Antwerpen - Bergen op Zoom</areaDesc>"
        "<polygon>51.19,4.30 51.50,4.30 51.50,4.45 51.19,4.45 51.19,4.30</polygon></area>"
    )
    event = _event(_cap(area=area))
    assert isinstance(event, IncidentReported)
    assert event.data.regions == ("vr20",)


def test_a_province_warning_maps_to_the_provinces_regions() -> None:
    """A weather warning for 'Provincie Noord-Holland' maps to its five regions."""
    area = "\n    <area><areaDesc>Provincie Noord-Holland</areaDesc></area>"
    event = _event(_cap(area=area))
    assert isinstance(event, IncidentReported)
    assert event.data.regions == ("vr10", "vr11", "vr12", "vr13", "vr14")


# --- the CAP category is authoritative -----------------------------------------------------


@pytest.mark.parametrize(
    ("category", "event", "headline", "expected"),
    [
        ("Fire", "Brand", "Grote brand, 112 bereikbaar", "fire"),
        ("Fire", "Woningbrand", "Woningbrand aan de Dijkstraat", "fire"),
        ("Fire", "Natuurbrand", "Natuurbrand op de Veluwe", "wildfire"),
        ("Met", "Overstroming", "Hoogwater in de Maas", "flood"),
        ("Met", "Weer", "Code oranje, 112 storing mogelijk", "extreme_weather"),
        ("Infra", "Storing", "Storing 112 in Zeeland", "telecom_outage"),
        ("Other", "Storing", "Storing 112 in Zeeland", "telecom_outage"),
        ("Safety", "Woningbrand", "Woningbrand aan de Dijkstraat", "other"),
    ],
)
def test_keywords_refine_but_never_leave_the_cap_category(
    category: str, event: str, headline: str, expected: str
) -> None:
    """Keywords choose within the CAP category (Met → flood); only Other lets them choose freely."""
    imported = _event(_cap(category=category, event=event, headline=headline))
    assert isinstance(imported, IncidentReported)
    assert imported.data.category == expected
