"""The notice a sender gets when the gateway refuses its record."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.contracts.avro_schema import avro_schema_for
from hub.contracts.events.envelope import Tlp
from hub.contracts.outputs import OUTPUT_TYPES, IngressRejected
from hub.gateway.deadletter import DeadLetter
from hub.gateway.notices import NOT_OWNER_NOTICE, rejection_notice

AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _letter(reason: str, detail: str) -> DeadLetter:
    return DeadLetter(reason, detail, "kcr.ingress.vr19", 2, 41, AT)


def test_the_notice_is_red_for_the_sender_and_quotes_the_record() -> None:
    """RED, to the sender only; reason, detail, event id and type, and where the record was."""
    headers = [("ce_id", b"ev-17"), ("ce_type", b"nl.kcr.incident.closed")]
    notice = rejection_notice("vr19", headers, _letter("invalid_payload", "data.title: missing"))
    assert notice.tlp is Tlp.RED
    assert notice.recipients == ("vr19",)
    assert notice.source == "hub"
    assert (notice.data.reason, notice.data.detail) == ("invalid_payload", "data.title: missing")
    assert (notice.data.event_id, notice.data.event_type) == ("ev-17", "nl.kcr.incident.closed")
    assert (notice.data.topic, notice.data.partition, notice.data.offset) == (
        "kcr.ingress.vr19",
        2,
        41,
    )
    assert notice.correlationid == "ev-17"
    assert notice.id == notice.subject == "rejected:kcr.ingress.vr19:2:41"


def test_a_not_owner_notice_names_nobody() -> None:
    """The dead letter names the owner for the operators; the sender's notice does not."""
    detail = "incident 'inc-7' belongs to vr17, which created it; only vr17 may send ..."
    notice = rejection_notice("vr19", [], _letter("not_owner", detail))
    assert notice.data.detail == NOT_OWNER_NOTICE
    assert "vr17" not in notice.model_dump_json()
    assert "Fix:" in notice.data.detail


def test_headers_the_sender_got_wrong_are_not_quoted_back() -> None:
    """A control character in ce_id, or bytes that are not UTF-8: the notice still goes out."""
    headers = [("ce_id", b"ev\x00bad"), ("ce_type", b"\xff\xfe")]
    notice = rejection_notice("vr19", headers, _letter("control_character", "id: NUL at 3"))
    assert notice.data.event_id is None
    assert notice.data.event_type is None
    assert notice.data.reason == "control_character"


def test_the_notice_is_a_published_output_with_an_avro_schema() -> None:
    """Partners decode it like every output: listed in OUTPUT_TYPES, with an Avro schema."""
    assert OUTPUT_TYPES["nl.kcr.ingress.rejected"] is IngressRejected
    schema = avro_schema_for(IngressRejected)
    assert schema["name"] == "IngressRejected"
