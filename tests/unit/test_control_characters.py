"""Control characters (NUL, C0, DEL) in ids, subjects and sources: refused at every entry point.

The contracts refuse them (so every path that builds an event does); the bridge answers 422
naming the field, the SDK raises naming the field, and the gateway dead-letters the record with
reason ``control_character``. Printable text, accented letters included, is still accepted.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from connectors.sdk import ClientSettings, HubClient
from hub.bridge.problems import BridgeProblem
from hub.bridge.validation import json_events
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import parse_event
from hub.contracts.fields import CONTROL_CHARACTER
from hub.errors import CodecError, ConfigurationError
from hub.gateway.reasons import RejectReason, reason_of

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "events" / "incident.reported.json"
INCIDENT: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
CONTROLS = st.sampled_from([chr(code) for code in (*range(0x20), 0x7F)])
FIELDS = ("id", "subject", "source")


def _document(field: str, value: str) -> dict[str, Any]:
    """The incident example from vr07 with ``field`` set to ``value`` (subject kept in data)."""
    document = {**INCIDENT, "id": str(uuid.uuid4()), "source": "vr07", field: value}
    if field == "subject":
        document["data"] = {**INCIDENT["data"], "incident_id": value}
    return document


def _spliced(base: str, control: str, at: int) -> str:
    position = at % (len(base) + 1)
    return base[:position] + control + base[position:]


def _errors_of(field: str, value: str) -> list[Any]:
    with pytest.raises(ValidationError) as info:
        parse_event(_document(field, value))
    return info.value.errors(include_url=False)


@given(control=CONTROLS, field=st.sampled_from(FIELDS), at=st.integers(0, 40))
def test_every_c0_character_and_del_is_refused_naming_the_field(
    control: str, field: str, at: int
) -> None:
    """Anywhere in an id, subject or source, each of U+0000..U+001F and U+007F is refused."""
    base = {"id": "evt-vr07-1", "subject": "inc-vr07-1", "source": "vr07"}[field]
    errors = _errors_of(field, _spliced(base, control, at))
    refused = [e for e in errors if e["type"] == CONTROL_CHARACTER]
    assert refused[0]["loc"] == (field,)
    assert {e["loc"] for e in refused} <= {(field,), ("data", "incident_id")}
    assert f"U+{ord(control):04X}" in refused[0]["msg"]
    assert "remove" in refused[0]["msg"]


@given(text=st.text(st.characters(min_codepoint=0x21, exclude_categories=("Cc", "Cs", "Z"))))
def test_printable_subjects_are_still_accepted(text: str) -> None:
    """Visible characters (accents, symbols, other scripts) pass the control-character check."""
    subject = ("inc-" + text)[:200]
    assert parse_event(_document("subject", subject)).subject == subject


def test_the_bridge_answers_422_naming_the_field() -> None:
    """A NUL in subject is a 422 problem for event.subject with the fix in the message."""
    with pytest.raises(BridgeProblem) as info:
        json_events(_document("subject", "inc-\x00-vr07"), "vr07")
    problem = info.value
    assert problem.status == 422
    subjects = [e for e in problem.errors if e.field == "event.subject"]
    assert subjects, problem.errors
    assert "U+0000" in subjects[0].message
    assert "remove" in subjects[0].message


def _client() -> HubClient:
    return HubClient(ClientSettings(bootstrap="b:9092", org="vr07", registry_url="http://r"))


def test_the_sdk_refuses_a_dict_naming_the_field() -> None:
    """HubClient.validate of CloudEvents JSON with ESC in the id names event and id."""
    with pytest.raises(ConfigurationError, match=r"id: contains the control character U\+001B"):
        _client().validate(_document("id", "evt\x1b[2J"))


def test_the_sdk_refuses_a_model_changed_without_validation() -> None:
    """A model_copy(update=...) skips pydantic; the SDK validates it again before sending."""
    event = parse_event(_document("subject", "inc-vr07-9"))
    forged = event.model_copy(update={"subject": "inc-vr07-9\x00"})
    with pytest.raises(ConfigurationError, match=r"subject: contains the control character"):
        _client().validate(forged)
    assert _client().validate(event) == event


class _MemoryRegistry:
    """Schemas in a dict, for a codec without a registry server."""

    def __init__(self) -> None:
        self.schemas: dict[int, Any] = {}

    async def register(self, subject: str, schema: Any) -> int:
        schema_id = len(self.schemas) + 1
        self.schemas[schema_id] = schema
        return schema_id

    async def schema_by_id(self, schema_id: int) -> Any:
        return self.schemas.get(schema_id)

    async def set_compatibility(self, subject: str, level: str) -> None:
        return None


@pytest.mark.parametrize("field", FIELDS)
async def test_the_gateway_reason_is_control_character(field: str) -> None:
    """Avro bytes written around pydantic decode to a refusal with reason control_character."""
    codec = EventCodec(_MemoryRegistry())
    event = parse_event(_document("subject", "inc-vr07-3"))
    forged = event.model_copy(update={field: "vr07\x00" if field == "source" else "x\x00y"})
    with pytest.raises(CodecError) as info:
        await codec.decode_event(await codec.encode(forged))
    assert reason_of(info.value) is RejectReason.CONTROL_CHARACTER
    assert f"{field}: contains the control character U+0000" in info.value.message


async def test_other_invalid_payloads_keep_their_reason() -> None:
    """A bad field without a control character stays invalid_payload."""
    codec = EventCodec(_MemoryRegistry())
    event = parse_event(_document("subject", "inc-vr07-4"))
    data = event.data.model_copy(update={"grip_level": "VI"})
    forged = event.model_copy(update={"data": data})
    with pytest.raises(CodecError) as info:
        await codec.decode_event(await codec.encode(forged))
    assert reason_of(info.value) is RejectReason.INVALID_PAYLOAD
