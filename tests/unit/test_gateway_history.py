"""What the gateway reads back on start: the window from headers alone, owners from claims."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.gateway.dedupe import DedupeWindow
from hub.gateway.history import creations, event_key, remember_logged
from hub.gateway.policy import GatewayPolicy
from hub.gateway.service import Gateway, GatewayWiring
from hub.kafka.records import ConsumedRecord, Header
from tests.unit.test_gateway_transactions import FakeClients, FakeKafka, FakeRecord, _MemoryRegistry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"
T0 = datetime(2026, 11, 27, 12, tzinfo=UTC)
NOT_AVRO = b"\x01 not an Avro body"


def _example(name: str) -> EventEnvelope:
    return parse_event(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))


def _record(offset: int, headers: list[Header], value: bytes = NOT_AVRO) -> FakeRecord:
    at = int((T0 + timedelta(seconds=offset)).timestamp() * 1000)
    return FakeRecord("kcr.log.incident", offset, b"k", value, headers, at)


async def _batches(*records: FakeRecord) -> AsyncIterator[Sequence[ConsumedRecord]]:
    yield list(records)


async def test_the_window_is_rebuilt_from_headers_without_decoding_a_body() -> None:
    """Records whose bodies are not Avro still give their (ce_source, ce_id) at their log time."""
    window = DedupeWindow(timedelta(days=7), 100)
    headers = to_ce_headers(_example("incident.reported"))
    remembered = await remember_logged(window, _batches(_record(0, headers), _record(1, [])))
    assert remembered == 1
    assert event_key(headers) in window
    assert event_key([("ce_id", b"1")]) is None


async def test_a_restarted_gateway_reads_only_the_window_of_the_log() -> None:
    """The gateway asks for the log from now minus the window; ids before it are forgotten."""
    kafka = FakeKafka()
    now = datetime.now(UTC)
    for age, event_id in ((timedelta(days=8), "old"), (timedelta(hours=1), "recent")):
        at = int((now - age).timestamp() * 1000)
        headers = [("ce_source", b"vr19"), ("ce_id", event_id.encode())]
        kafka.topics["kcr.log.heartbeat"].append(
            FakeRecord("kcr.log.heartbeat", 0, b"vr19", NOT_AVRO, headers, at)
        )
    codec = EventCodec(_MemoryRegistry())
    gateway = Gateway(GatewayWiring("fake:9092"), codec, load_registry(), GatewayPolicy(),
                      clients=FakeClients(kafka))  # fmt: skip
    await gateway.rebuild_dedupe_window()
    assert ("vr19", "recent") in gateway.seen
    assert ("vr19", "old") not in gateway.seen


async def test_only_records_that_create_or_end_an_aggregate_are_decoded() -> None:
    """A heartbeat's body is never read; a claiming type is decoded; a broken one is skipped."""
    codec = EventCodec(_MemoryRegistry())
    reported = _example("incident.reported")
    heartbeat_headers = to_ce_headers(_example("heartbeat.sent"))
    history = _batches(
        _record(0, heartbeat_headers),  # not Avro, but never decoded
        _record(1, to_ce_headers(reported), await codec.encode(reported)),
        _record(2, to_ce_headers(reported)),  # claims to create, does not decode: skipped
    )
    found = [(event.id, at) async for event, at in creations(codec, history)]
    assert found == [(reported.id, T0 + timedelta(seconds=1))]
