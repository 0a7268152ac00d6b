"""xs:dateTime values from the grammar in every date field, through `kcr connect` and the bridge.

Each example puts one generated value into one date field of a CAP alert, an EDXL-DE envelope,
a bare EDXL-RM message or a CloudEvents JSON event, and runs it through the function
``kcr connect`` calls (size-checked read, then the format's mapper) and through the bridge app
in process (``/v1/cap``, ``/v1/edxl``, ``/v1/events``; a publisher that keeps the events in
memory stands in for Kafka). The outcome is always an event or a refusal with a reason code or
a named field: never an exception, never a 5xx. A value the hub's parser refuses is never
published, and a published CAP ``<sent>`` is the parsed instant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.cap import REASONS as CAP_REASONS
from connectors.edxl import REASONS as EDXL_REASONS
from connectors.files import FORMATS, FileImport, MapOptions, read_import_file
from hub.bridge.app import create_app
from hub.bridge.context import BridgeContext
from hub.bridge.keys import ApiKeyStore
from hub.bridge.publisher import IngressPublisher
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.xsdtime import DateTimeRefused, parse_xs_datetime
from hub.settings import MAX_IMPORT_BYTES
from hub.topics.declaration import TopicNames
from tests.unit.xsd_dates import CAP_SHAPED, XS_DATETIMES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"
REASON = re.compile(
    r"\((?:cap:)?("
    + "|".join(sorted({*CAP_REASONS, *EDXL_REASONS}, key=len, reverse=True))
    + r")\)"
)
DATES = st.one_of(CAP_SHAPED, XS_DATETIMES)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>kcr-dates-1</identifier>
  <sender>lcms@vr19.nl</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>{references}
  <info>
    <language>nl-NL</language>
    <category>Met</category>
    <event>Storm</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>{effective}{onset}
    <headline>Zware storm</headline>
    <area>
      <areaDesc>Zeeland</areaDesc>
      <geocode><valueName>veiligheidsregio</valueName><value>VR19</value></geocode>
    </area>
  </info>
</alert>
"""
CAP_SENT = "2026-11-27T06:00:00+01:00"

RM = """<RequestResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
                 xmlns:rm="urn:oasis:names:tc:emergency:EDXL:RM:1.0">
  <MessageID>vr19-rm-dates</MessageID>
  <SentDateTime>{sent}</SentDateTime>
  <MessageContentType>RequestResource</MessageContentType>
  <ResourceInformation>
    <ResourceInfoElementID>1</ResourceInfoElementID>
    <Resource><rm:Name>pump</rm:Name></Resource>
    <AssignmentInformation>
      <rm:Quantity><rm:QuantityText>4 pompen</rm:QuantityText></rm:Quantity>
    </AssignmentInformation>
    <ScheduleInformation>
      <rm:ScheduleType>RequestedArrival</rm:ScheduleType>
      <rm:DateTime>{arrival}</rm:DateTime>
    </ScheduleInformation>
  </ResourceInformation>
</RequestResource>"""
RM_SENT, RM_ARRIVAL = "2026-11-27T06:10:00+01:00", "2026-11-27T11:00:00+01:00"

DE = """<?xml version="1.0" encoding="UTF-8"?>
<edxlDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0">
  <distributionID>vr19-de-dates</distributionID>
  <senderID>lms@vr19.nl</senderID>
  <dateTimeSent>{sent}</dateTimeSent>
  <dateTimeExpires>{expires}</dateTimeExpires>
  <distributionStatus>Actual</distributionStatus>
  <distributionKind>Request</distributionKind>
  <content><contentObject><contentXML><embeddedXMLContent>{rm}</embeddedXMLContent></contentXML>
  </contentObject></content>
</edxlDistribution>
"""
DE_SENT, DE_EXPIRES = "2026-11-27T06:10:00+01:00", "2026-11-28T06:10:00+01:00"


def cap_alert(field: str, value: str) -> bytes:
    """A CAP alert with ``value`` in ``field`` (sent, effective, onset or references)."""
    references = f"\n  <references>lcms@vr19.nl,kcr-dates-0,{value}</references>"
    return CAP.format(
        sent=value if field == "sent" else CAP_SENT,
        msg_type="Update" if field == "references" else "Alert",
        references=references if field == "references" else "",
        effective=f"\n    <effective>{value}</effective>" if field == "effective" else "",
        onset=f"\n    <onset>{value}</onset>" if field == "onset" else "",
    ).encode()


def rm_message(field: str, value: str) -> str:
    """A bare EDXL-RM request with ``value`` in ``field`` (SentDateTime or RequestedArrival)."""
    return RM.format(
        sent=value if field == "SentDateTime" else RM_SENT,
        arrival=value if field == "RequestedArrival" else RM_ARRIVAL,
    )


def de_distribution(field: str, value: str) -> bytes:
    """An EDXL-DE 2.0 distribution of an RM request with ``value`` in one of its date fields."""
    return DE.format(
        sent=value if field == "dateTimeSent" else DE_SENT,
        expires=value if field == "dateTimeExpires" else DE_EXPIRES,
        rm=rm_message(field, value),
    ).encode()


def refused_by_parser(value: str) -> bool:
    """Whether the hub's one parser refuses ``value``."""
    try:
        parse_xs_datetime(value, "value")
    except DateTimeRefused:
        return True
    return False


def connect(tmp_path: Path, fmt: str, data: bytes) -> FileImport:
    """What ``kcr connect <fmt>`` does with a file holding ``data`` (before publishing)."""
    file = tmp_path / f"in.{fmt}"
    file.write_bytes(data)
    return FORMATS[fmt](read_import_file(file, MAX_IMPORT_BYTES), MapOptions("vr19"))


def assert_event_or_named_refusal(result: FileImport, value: str) -> None:
    """Something came out, every refusal has a reason code, a refused value published nothing."""
    assert result.events or result.refusals
    for refusal in result.refusals:
        assert REASON.search(refusal), refusal
    if refused_by_parser(value):
        assert not result.events, value


class MemoryPublisher(IngressPublisher):
    """Keeps published events in memory: the bridge's routes run without Kafka."""

    def __init__(self) -> None:
        """A publisher for the topic names of prefix ``t``."""
        super().__init__(
            "127.0.0.1:9", TopicNames("t"), EventCodec(HttpSchemaRegistry("http://127.0.0.1:9")), {}
        )
        self.published: list[EventEnvelope] = []

    async def publish(self, org: str, events: Sequence[EventEnvelope]) -> str:
        """Keep ``events``; return the ingress topic they would go to."""
        self.published += events
        return self.names.ingress(org)


def _example_documents() -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(EXAMPLES.glob("*.json"))]


EXAMPLE_DOCUMENTS = _example_documents()


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The bridge app in process with a key for every example's source organisation."""
    keys = ApiKeyStore(tmp_path_factory.mktemp("keys") / "keys.json")
    orgs = {"vr19"} | {document["source"] for document in EXAMPLE_DOCUMENTS}
    headers = {org: keys.add(org, "2026-11-27T06:00:00+00:00") for org in orgs}
    publisher = MemoryPublisher()
    context = BridgeContext(keys, publisher, publisher.codec, "127.0.0.1:9")
    with TestClient(create_app(context)) as client:
        yield client, headers


def post(
    bridge: tuple[TestClient, dict[str, str]], path: str, body: bytes, org: str, media: str
) -> Any:
    """POST ``body`` as ``org``; assert a 202 or a 4xx problem naming fields or the reason."""
    client, keys = bridge
    response = client.post(
        path, content=body, headers={"X-API-Key": keys[org], "Content-Type": media}
    )
    assert response.status_code in (202, 403, 422), response.text
    if response.status_code != 202:
        problem = response.json()
        assert problem["errors"], problem
        assert all(error["field"] and error["message"] for error in problem["errors"])
    return response


@SETTINGS
@given(field=st.sampled_from(["sent", "effective", "onset", "references"]), value=DATES)
def test_cap_dates_via_connect_and_bridge(
    tmp_path: Path, bridge: tuple[TestClient, dict[str, str]], field: str, value: str
) -> None:
    """Every CAP date field: an incident event or a named refusal, on both paths."""
    xml = cap_alert(field, value)
    result = connect(tmp_path, "cap", xml)
    assert_event_or_named_refusal(result, value)
    if field == "sent" and result.events:
        assert result.events[0].time == parse_xs_datetime(value, "sent")
    response = post(bridge, "/v1/cap", xml, "vr19", "application/cap+xml")
    assert (response.status_code == 202) == bool(result.events)


@SETTINGS
@given(
    field=st.sampled_from(["dateTimeSent", "dateTimeExpires", "SentDateTime", "RequestedArrival"]),
    value=XS_DATETIMES,
    bare=st.booleans(),
)
def test_edxl_dates_via_connect_and_bridge(
    tmp_path: Path, bridge: tuple[TestClient, dict[str, str]], field: str, value: str, bare: bool
) -> None:
    """Every EDXL-DE and EDXL-RM date field, wrapped or bare RM: the same outcome on both paths."""
    if bare and field.startswith("dateTime"):
        field = "SentDateTime"
    xml = rm_message(field, value).encode() if bare else de_distribution(field, value)
    result = connect(tmp_path, "edxl", xml)
    assert_event_or_named_refusal(result, value)
    response = post(bridge, "/v1/edxl", xml, "vr19", "application/xml")
    assert (response.status_code == 202) == (bool(result.events) and not result.refusals)


def _date_paths(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _date_paths(value, (*path, key))
    elif isinstance(node, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", node):
        yield path


DATE_FIELDS = [
    (index, path) for index, document in enumerate(EXAMPLE_DOCUMENTS)
    for path in _date_paths(document)
]  # fmt: skip


def _with(document: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def test_every_example_date_field_is_covered() -> None:
    """The examples carry time and data dates (e.g. data.started_at, data.needed_by)."""
    fields = {".".join(path) for _, path in DATE_FIELDS}
    assert {"time", "data.started_at", "data.needed_by"} <= fields


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.sampled_from(DATE_FIELDS), value=XS_DATETIMES)
def test_cloudevents_dates_via_bridge(
    bridge: tuple[TestClient, dict[str, str]], where: tuple[int, tuple[str, ...]], value: str
) -> None:
    """Any date field of any event type: 202, or a 422 naming that field when it is refused."""
    index, path = where
    document = _with(EXAMPLE_DOCUMENTS[index], path, value)
    document.pop("id", None)
    body = json.dumps(document).encode()
    response = post(bridge, "/v1/events", body, document["source"], "application/cloudevents+json")
    if refused_by_parser(value):
        assert response.status_code == 422
        fields = [error["field"] for error in response.json()["errors"]]
        assert "event." + ".".join(path) in fields, (fields, path)


def test_the_issue_dates_map_or_are_refused_by_name(
    tmp_path: Path, bridge: tuple[TestClient, dict[str, str]]
) -> None:
    """T24:00:00 is the next day's midnight; 0001-01-01T00:00:00+01:00 is time_invalid (422)."""
    midnight = cap_alert("sent", "2026-11-27T24:00:00+01:00")
    [event] = connect(tmp_path, "cap", midnight).events
    assert event.time.isoformat() == "2026-11-27T23:00:00+00:00"
    assert post(bridge, "/v1/cap", midnight, "vr19", "application/cap+xml").status_code == 202
    early = cap_alert("sent", "0001-01-01T00:00:00+01:00")
    [refusal] = connect(tmp_path, "cap", early).refusals
    assert "(time_invalid): <sent> '0001-01-01T00:00:00+01:00'" in refusal
    problem = post(bridge, "/v1/cap", early, "vr19", "application/cap+xml").json()
    assert problem["status"] == 422
    assert "<sent>" in problem["errors"][0]["message"]


def test_a_bare_rm_request_is_accepted_by_connect_and_bridge(
    tmp_path: Path, bridge: tuple[TestClient, dict[str, str]]
) -> None:
    """/v1/edxl takes what `kcr connect edxl` takes: a bare EDXL-RM request, QuantityText read."""
    xml = rm_message("SentDateTime", RM_SENT).encode()
    [event] = connect(tmp_path, "edxl", xml).events
    assert event.type == "nl.kcr.assistance.requested"
    response = post(bridge, "/v1/edxl", xml, "vr19", "application/xml")
    assert response.status_code == 202
    assert response.json()["ids"] == [event.id]
    assert getattr(event.data, "quantity", None) == 4
