"""EDXL-RM: RequestResource → assistance.requested, CommitResource → assistance.offered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.edxl import EdxlRefused, edxl_to_events, resource_type_for, rm_to_events
from hub.contracts.events.assistance import AssistanceOffered, AssistanceRequested
from hub.contracts.fields import Location
from hub.contracts.geo import GeoPoint

REQUEST = """<?xml version="1.0" encoding="UTF-8"?>
<RequestResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
                 xmlns:rm="urn:oasis:names:tc:emergency:EDXL:RM:1.0">
  <MessageID>vr19-rm-2026-0031</MessageID>
  <SentDateTime>2026-11-27T06:10:00+01:00</SentDateTime>
  <MessageContentType>RequestResource</MessageContentType>
  <MessageDescription>Bijstand dijkdoorbraak Kruiningen</MessageDescription>
  <IncidentInformation>
    <rm:IncidentDescription>Dijkdoorbraak Westerscheldedijk</rm:IncidentDescription>
    <rm:IncidentID>inc-vr19-2026-0412</rm:IncidentID>
  </IncidentInformation>
  <ResourceInformation>
    <ResourceInfoElementID>1</ResourceInfoElementID>
    <Resource>
      <rm:TypeStructure>
        <rm:Value>Hoogcapaciteitspomp</rm:Value>
        <rm:ValueListURN>urn:kcr:resource-types</rm:ValueListURN>
      </rm:TypeStructure>
      <rm:Description>8.000 l/min, met bediening</rm:Description>
    </Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:MeasuredQuantity><rm:Amount>12</rm:Amount></rm:MeasuredQuantity></rm:Quantity>
      <rm:AnticipatedFunction>Leegpompen polder Kruiningen</rm:AnticipatedFunction>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>RequestedArrival</rm:ScheduleType>
      <rm:DateTime>2026-11-27T11:00:00+01:00</rm:DateTime>
    </ScheduleInformation>
    <ScheduleInformation>
      <rm:ScheduleType>ReportTo</rm:ScheduleType>
      <rm:Location>
        <rm:LocationDescription>Uitgangsstelling Rilland, carpoolplaats A58</rm:LocationDescription>
        <rm:TargetArea><rm:Circle>51.419,4.168 0</rm:Circle></rm:TargetArea>
      </rm:Location>
    </ScheduleInformation>
  </ResourceInformation>
  <ResourceInformation>
    <ResourceInfoElementID>2</ResourceInfoElementID>
    <Resource><rm:Name>Zandzakken</rm:Name></Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:MeasuredQuantity><rm:Amount>%(sandbags)s</rm:Amount></rm:MeasuredQuantity></rm:Quantity>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>RequestedArrival</rm:ScheduleType>
      <rm:DateTime>2026-11-27T09:00:00+01:00</rm:DateTime>
    </ScheduleInformation>
  </ResourceInformation>
  <ResourceInformation>
    <ResourceInfoElementID>3</ResourceInfoElementID>
    <Resource><rm:Name>Amfibievoertuig</rm:Name></Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:MeasuredQuantity><rm:Amount>2</rm:Amount></rm:MeasuredQuantity></rm:Quantity>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>RequestedArrival</rm:ScheduleType>
      <rm:DateTime>2026-11-27T12:00:00+01:00</rm:DateTime>
    </ScheduleInformation>
  </ResourceInformation>
</RequestResource>
"""

COMMIT = """<?xml version="1.0" encoding="UTF-8"?>
<CommitResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
                xmlns:rm="urn:oasis:names:tc:emergency:EDXL:RM:1.0">
  <MessageID>vr20-rm-2026-0107</MessageID>
  <SentDateTime>2026-11-27T06:40:00+01:00</SentDateTime>
  <MessageContentType>CommitResource</MessageContentType>
  <MessageDescription>Toezegging pompen vanuit Roosendaal en Bergen op Zoom</MessageDescription>
  <OriginatingMessageID>vr19-rm-2026-0031</OriginatingMessageID>
  <ResourceInformation>
    <ResourceInfoElementID>1</ResourceInfoElementID>
    <ResponseInformation>
      <rm:PrecedingResourceInfoElementID>1</rm:PrecedingResourceInfoElementID>
      <rm:ResponseType>Accept</rm:ResponseType>
    </ResponseInformation>
    <Resource><rm:TypeStructure><rm:Value>pump</rm:Value></rm:TypeStructure></Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:MeasuredQuantity><rm:Amount>8</rm:Amount></rm:MeasuredQuantity></rm:Quantity>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>EstimatedDeparture</rm:ScheduleType>
      <rm:DateTime>2026-11-27T08:00:00+01:00</rm:DateTime>
    </ScheduleInformation>
  </ResourceInformation>
  <ResourceInformation>
    <ResourceInfoElementID>2</ResourceInfoElementID>
    <ResponseInformation>
      <rm:PrecedingResourceInfoElementID>2</rm:PrecedingResourceInfoElementID>
      <rm:ResponseType>Decline</rm:ResponseType>
    </ResponseInformation>
  </ResourceInformation>
</CommitResource>
"""

EDXL = """<?xml version="1.0" encoding="UTF-8"?>
<edxlDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0">
  <distributionID>vr20-de-2026-0107</distributionID>
  <senderID>lms@vr20.nl</senderID>
  <dateTimeSent>2026-11-27T06:40:00+01:00</dateTimeSent>
  <dateTimeExpires>2026-11-28T06:40:00+01:00</dateTimeExpires>
  <distributionStatus>Actual</distributionStatus>
  <distributionKind>Response</distributionKind>
  <content><contentObject><contentXML><embeddedXMLContent>%s</embeddedXMLContent></contentXML>
  </contentObject></content>
</edxlDistribution>
"""


def _request(sandbags: str = "5000") -> bytes:
    """Return the RequestResource example with ``sandbags`` as the second item's amount."""
    return (REQUEST % {"sandbags": sandbags}).encode()


def test_a_resource_request_becomes_assistance_requested() -> None:
    """Each mappable item of a RequestResource is one assistance.requested."""
    result = rm_to_events(_request(), source_org="vr19")
    pumps, sandbags = result.events
    assert isinstance(pumps, AssistanceRequested)
    assert pumps.subject == pumps.data.request_id == "rm-vr19-rm-2026-0031-1"
    assert pumps.data.incident_id == "inc-vr19-2026-0412"
    assert (pumps.data.resource_type, pumps.data.quantity) == ("pump", 12)
    assert pumps.data.needed_by == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert pumps.data.region == "vr19"
    assert pumps.data.location == Location(
        place="Uitgangsstelling Rilland, carpoolplaats A58",
        point=GeoPoint(lat=51.419, lon=4.168),
    )
    assert "Leegpompen polder Kruiningen" in pumps.data.note
    assert isinstance(sandbags, AssistanceRequested)
    assert (sandbags.data.resource_type, sandbags.data.quantity) == ("sandbag", 5000)


def test_unknown_resource_types_are_reported_per_item() -> None:
    """An item naming no hub resource type is an error; the other items still map."""
    [error] = rm_to_events(_request(), source_org="vr19").errors
    assert (error.element_id, error.reason) == ("3", "resource_type_unmapped")
    assert "Amfibievoertuig" in error.message
    assert "rm_resource_types.json" in error.message


@pytest.mark.parametrize("amount", ["2.5", "0", "veel"])
def test_bad_quantities_are_reported(amount: str) -> None:
    """Quantities must be whole numbers above zero."""
    result = rm_to_events(_request(sandbags=amount), source_org="vr19")
    assert [(e.element_id, e.reason) for e in result.errors][:1] == [("2", "quantity_invalid")]
    assert len(result.events) == 1


def test_an_item_without_element_id_is_reported() -> None:
    """Items are matched by ResourceInfoElementID, so one without it is an error."""
    xml = _request().replace(b"<ResourceInfoElementID>2</ResourceInfoElementID>", b"")
    errors = rm_to_events(xml, source_org="vr19").errors
    assert (errors[0].element_id, errors[0].reason) == ("#2", "rm_invalid")


def test_a_request_without_deadline_is_reported() -> None:
    """needed_by is required, so an item without RequestedArrival is an error."""
    xml = _request().replace(b"RequestedArrival", b"RequestedDeparture")
    result = rm_to_events(xml, source_org="vr19")
    assert {e.reason for e in result.errors} == {"deadline_missing"}
    assert result.events == ()


def test_a_commitment_becomes_assistance_offered() -> None:
    """An accepted CommitResource item is an offer against the original request item."""
    result = rm_to_events(COMMIT.encode(), source_org="vr20")
    [offer] = result.events
    assert isinstance(offer, AssistanceOffered)
    assert offer.subject == offer.data.request_id == "rm-vr19-rm-2026-0031-1"
    assert offer.data.offer_id == "rm-vr20-rm-2026-0107-1"
    assert (offer.data.resource_type, offer.data.quantity) == ("pump", 8)
    assert offer.data.available_from == datetime(2026, 11, 27, 7, tzinfo=UTC)
    [declined] = result.errors
    assert (declined.element_id, declined.reason) == ("2", "declined")


def test_request_and_offer_ids_match() -> None:
    """The offer answers exactly the request the RequestResource item became."""
    [request, _] = rm_to_events(_request(), source_org="vr19").events
    [offer] = rm_to_events(COMMIT.encode(), source_org="vr20").events
    assert offer.data.request_id == request.data.request_id


def test_rm_ids_are_deterministic() -> None:
    """Importing the same RM message twice gives the same event ids."""
    first = [e.id for e in rm_to_events(_request(), source_org="vr19").events]
    second = [e.id for e in rm_to_events(_request(), source_org="vr19").events]
    assert first == second
    assert len(set(first)) == len(first)


def test_rm_inside_edxl_de_is_mapped() -> None:
    """An RM message in an EDXL-DE envelope maps like one on its own."""
    body = COMMIT.split("?>", 1)[1]
    result = edxl_to_events((EDXL % body).encode(), source_org="vr20")
    [offer] = result.events
    assert isinstance(offer, AssistanceOffered)
    assert [r.reason for r in result.refusals] == ["declined"]


def test_resource_names_are_matched_loosely() -> None:
    """Names match case-insensitively, with '-', '_' and spaces alike; codes match themselves."""
    assert resource_type_for("IC-bed") == "icu_bed"
    assert resource_type_for("  Fire_Engine ") == "fire_engine"
    assert resource_type_for("Amfibievoertuig") is None


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<RequestResource", "xml_malformed"),
        (
            b'<ReleaseResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"/>',
            "rm_unsupported",
        ),
        (COMMIT.replace("<MessageID>vr20-rm-2026-0107</MessageID>", "").encode(), "rm_invalid"),
    ],
)
def test_unreadable_rm_messages_are_refused(xml: bytes, reason: str) -> None:
    """Malformed, unsupported and incomplete RM messages are refused whole."""
    with pytest.raises(EdxlRefused) as caught:
        rm_to_events(xml, source_org="vr19")
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("circle", "source_org", "region"),
    [
        ("50.851,5.690 0", "vr19", "vr24"),  # Maastricht: the boundary decides, not the sender
        ("51.419,4.168 0", "vr20", "vr19"),  # Rilland, 6 km from West-Brabant's border
        ("50.776,6.084 0", "vr24", "vr24"),  # Aachen lies in no region: the requester's own
    ],
)
def test_the_report_to_point_lies_in_the_region_of_the_request(
    circle: str, source_org: str, region: str
) -> None:
    """A request's region is the region whose boundary holds the report-to point."""
    xml = _request().replace(b"51.419,4.168 0", circle.encode())
    pumps = rm_to_events(xml, source_org=source_org).events[0]
    assert isinstance(pumps, AssistanceRequested)
    assert pumps.data.region == region


def test_a_report_to_point_abroad_from_a_non_region_is_refused() -> None:
    """Aachen from a national partner maps to no region: region_unmapped, named."""
    xml = _request().replace(b"51.419,4.168 0", b"50.776,6.084 0")
    result = rm_to_events(xml, source_org="ncc")
    assert "region_unmapped" in {error.reason for error in result.errors}


def _worded(text: str) -> bytes:
    amount = "<rm:MeasuredQuantity><rm:Amount>5000</rm:Amount></rm:MeasuredQuantity>"
    return _request().replace(
        amount.encode(), f"<rm:QuantityText>{text}</rm:QuantityText>".encode()
    )


@pytest.mark.parametrize(("text", "quantity"), [("250", 250), (" 12 pallets zandzakken ", 12)])
def test_quantity_text_is_read(text: str, quantity: int) -> None:
    """<rm:QuantityText> gives the whole number it starts with."""
    result = rm_to_events(_worded(text), source_org="vr19")
    sandbags = result.events[1]
    assert isinstance(sandbags, AssistanceRequested)
    assert sandbags.data.quantity == quantity


@pytest.mark.parametrize("text", ["zes pallets", "1.000 zakken", "0 zakken", ""])
def test_unreadable_quantity_text_names_it(text: str) -> None:
    """No leading whole number above zero: quantity_invalid, saying how to write it."""
    errors = rm_to_events(_worded(text), source_org="vr19").errors
    [error] = [e for e in errors if e.element_id == "2"]
    assert error.reason == "quantity_invalid"
    assert "QuantityText" in error.message or "above 0" in error.message
