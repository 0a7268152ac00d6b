"""``ce_dataschema``: the registry URL of a record's writer schema, for CloudEvents-only readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.codec.headers import dataschema_url, to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.codec.wire import pack
from hub.contracts.events.catalogue import parse_event

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "events" / "incident.reported.json"


class _NoUrlRegistry:
    """A registry without a URL (what the codec needs of one, nothing more)."""

    async def register(self, subject: str, schema: Any) -> int:
        return 1

    async def schema_by_id(self, schema_id: int) -> Any:
        return None

    async def set_compatibility(self, subject: str, level: str) -> None:
        return None


def test_the_url_is_the_registry_lookup_by_id() -> None:
    """Confluent/Apicurio style: <registry>/schemas/ids/<id>, one slash whatever the base."""
    assert dataschema_url("http://reg:8081", 7) == "http://reg:8081/schemas/ids/7"
    assert dataschema_url("http://reg:8081/apis/ccompat/v7/", 7) == (
        "http://reg:8081/apis/ccompat/v7/schemas/ids/7"
    )


def test_the_codec_reads_the_id_from_the_framing() -> None:
    """The id comes from the value's Confluent framing; unframed bytes give no header."""
    codec = EventCodec(HttpSchemaRegistry("http://registry:8081/"))
    assert codec.dataschema(pack(42, b"\x02")) == "http://registry:8081/schemas/ids/42"
    assert codec.dataschema(b"\x00") is None
    assert EventCodec(_NoUrlRegistry()).dataschema(pack(42, b"")) is None


def test_the_header_is_written_when_known() -> None:
    """to_ce_headers carries ce_dataschema given one, and leaves it out otherwise."""
    event = parse_event(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    with_schema = dict(to_ce_headers(event, dataschema="http://r/schemas/ids/3"))
    assert with_schema["ce_dataschema"] == b"http://r/schemas/ids/3"
    assert "ce_dataschema" not in dict(to_ce_headers(event))
