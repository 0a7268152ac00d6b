"""Fuzzing the ingress: bad records interleaved with good ones, on the real broker and gateway.

Each hypothesis example is a fixed-size batch over two organisations' ingress topics (plus one
of an unknown organisation). Every bad record must reach ``kcr.deadletter`` once, intact, with
its expected ``kcr_reason``; every good one the log exactly once; the gateway must live on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hub.codec.headers import header_map, to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.codec.wire import pack
from hub.contracts.events.envelope import EventEnvelope
from hub.gateway.policy import GatewayPolicy
from tests.integration.fuzz_support import (
    LiveGateway,
    Planned,
    Record,
    Tally,
    avro_bypassing_models,
    live_gateway,
    read_outputs,
    reconcile,
    send_planned,
    wait_consumed,
)
from tests.integration.gateway_support import fresh_example, make_hub_topics, unique_prefix

BATCH = 240
ORGS = ("vr19", "vr07")
LIMIT = 48 * 1024
POLICY = GatewayPolicy(max_record_bytes=LIMIT, max_age=timedelta(days=2), batch_max_records=500)
GOOD_TYPES = ("incident.reported", "heartbeat.sent", "capacity.reported")

Spec = tuple[str, str, int, bytes, str]  # kind, organisation, a number, some bytes, some text


@dataclass
class Maker:
    """Turns drawn specs into planned ingress records of one hub."""

    live: LiveGateway
    codec: EventCodec
    ids: dict[str, int]
    made: set[str] = field(default_factory=set)
    later: list[Planned] = field(default_factory=list)

    def event(self, name: str, org: str, **changes: object) -> EventEnvelope:
        """A fresh example of ``name`` from ``org`` whose id is remembered for reconciling.

        A report gets an incident id of its own (unless given): the example's id belongs to
        whichever organisation reports it first, so another's report of it would be not_owner.
        """
        if name == "incident.reported" and "subject" not in changes:
            incident = f"inc-{org}-{uuid.uuid4().hex[:12]}"
            given = changes.pop("data", None)
            data = given if isinstance(given, dict) else fresh_example(name).data.model_dump()
            changes |= {"subject": incident, "data": {**data, "incident_id": incident}}
        event = fresh_example(name, source=org, **changes)
        self.made.add(event.id)
        return event

    def topic(self, org: str) -> str:
        """The ingress topic of ``org``."""
        return self.live.names.ingress(org)

    async def good(self, kind: str, event: EventEnvelope, topic: str | None = None) -> Planned:
        """A record the gateway must accept, framed as a partner would."""
        value = await self.codec.encode(event)
        topic = topic or self.topic(event.source)
        key = event.subject.encode()
        return Planned(kind, topic, key, value, to_ce_headers(event), (event.source, event.id))

    def bad(self, kind: str, org: str, value: bytes | None, *reasons: str) -> Planned:
        """A record on ``org``'s ingress that must be dead-lettered with one of ``reasons``."""
        return Planned(kind, self.topic(org), b"k-" + kind.encode(), value, [("x-fuzz", b"1")],
                       None, frozenset(reasons))  # fmt: skip


Build = Callable[[Maker, Spec], Awaitable[list[Planned]]]


async def _good(m: Maker, s: Spec) -> list[Planned]:
    return [await m.good("good", m.event(GOOD_TYPES[s[2] % 3], s[1]))]


async def _good_bare(m: Maker, s: Spec) -> list[Planned]:
    planned = await m.good("good_bare", m.event(GOOD_TYPES[s[2] % 3], s[1]))
    null_key = s[2] % 2 == 0
    return [Planned("good_bare", planned.topic, None if null_key else planned.key,
                    planned.value, [], planned.accept)]  # fmt: skip


async def _good_lying_headers(m: Maker, s: Spec) -> list[Planned]:
    planned = await m.good("good_lying_headers", m.event("incident.reported", s[1]))
    lies = [("ce_source", b"vr08"), ("ce_id", b"not-the-id"), ("ce_type", s[4].encode())]
    return [Planned(planned.kind, planned.topic, planned.key, planned.value, lies, planned.accept)]


async def _good_long_text(m: Maker, s: Spec) -> list[Planned]:
    text = ((s[4] or "x") * 10_000)[: 2_000 + s[2] % 8_000]
    event = m.event("incident.reported", s[1])
    data = {**event.data.model_dump(mode="json"), "description": text}
    return [await m.good("good_long_text", m.event("incident.reported", s[1], data=data))]


async def _same_id_two_orgs(m: Maker, s: Spec) -> list[Planned]:
    shared = str(uuid.uuid4())
    events = [m.event("heartbeat.sent", org, id=shared, subject=org) for org in ORGS]
    return [await m.good("same_id_two_orgs", event) for event in events]


async def _duplicate(m: Maker, s: Spec) -> list[Planned]:
    original = await m.good("duplicate", m.event(GOOD_TYPES[s[2] % 3], s[1]))
    m.later.append(Planned("duplicate", original.topic, original.key, original.value,
                           original.headers, None, frozenset({"duplicate_event_id"})))  # fmt: skip
    return [original]


async def _random_bytes(m: Maker, s: Spec) -> list[Planned]:
    return [m.bad("random_bytes", s[1], bytes([1 + s[2] % 255]) + s[3], "undecodable")]


async def _short(m: Maker, s: Spec) -> list[Planned]:
    return [m.bad("short", s[1], (b"\x00" + s[3])[: s[2] % 5], "undecodable")]


async def _null_value(m: Maker, s: Spec) -> list[Planned]:
    return [m.bad("null_value", s[1], None, "undecodable")]


async def _truncated(m: Maker, s: Spec) -> list[Planned]:
    value = await m.codec.encode(m.event(GOOD_TYPES[s[2] % 3], s[1]))
    cut = 5 + s[2] % (len(value) - 5)
    return [m.bad("truncated", s[1], value[:cut], "undecodable")]


async def _unknown_schema_id(m: Maker, s: Spec) -> list[Planned]:
    return [m.bad("unknown_schema_id", s[1], pack(50_000_000 + s[2], s[3]), "unknown_schema_id")]


async def _not_an_event(m: Maker, s: Spec) -> list[Planned]:
    value = pack(m.ids["not_an_event"], b"\x02a")
    return [m.bad("not_an_event", s[1], value, "unknown_event_type")]


async def _wrong_schema(m: Maker, s: Spec) -> list[Planned]:
    body = (await m.codec.encode(m.event("incident.reported", s[1])))[5:]
    value = pack(m.ids["heartbeat"], body)
    return [m.bad("wrong_schema", s[1], value, "undecodable", "invalid_payload")]


async def _invalid_payload(m: Maker, s: Spec) -> list[Planned]:
    event = m.event("incident.reported", s[1])
    value = avro_bypassing_models(event, m.ids["incident"], grip_level=s[4] + "9")
    return [m.bad("invalid_payload", s[1], value, "invalid_payload")]


async def _text_too_long(m: Maker, s: Spec) -> list[Planned]:
    event = m.event("incident.reported", s[1])
    text = "y" * (10_001 + s[2] % 20_000)
    value = avro_bypassing_models(event, m.ids["incident"], description=text)
    return [m.bad("text_too_long", s[1], value, "invalid_payload")]


async def _huge(m: Maker, s: Spec) -> list[Planned]:
    event = m.event("incident.reported", s[1])
    size = LIMIT + 1 + s[2] * 4
    value = (
        avro_bypassing_models(event, m.ids["incident"], description="z" * size)
        if s[2] % 2
        else bytes([s[2] % 3]) * size
    )
    return [m.bad("huge", s[1], value, "too_large")]


async def _spoofed(m: Maker, s: Spec) -> list[Planned]:
    value = await m.codec.encode(m.event("capacity.reported", "vr08", subject="vr08/pump"))
    return [m.bad("spoofed", s[1], value, "source_mismatch")]


async def _not_allowed(m: Maker, s: Spec) -> list[Planned]:
    value = await m.codec.encode(m.event("advice.validated", s[1]))
    return [m.bad("not_allowed", s[1], value, "type_not_allowed")]


async def _future(m: Maker, s: Spec) -> list[Planned]:
    ahead = datetime.now(UTC) + timedelta(hours=1, seconds=s[2])
    value = await m.codec.encode(m.event("heartbeat.sent", s[1], time=ahead.isoformat()))
    return [m.bad("future", s[1], value, "time_in_future")]


async def _stale(m: Maker, s: Spec) -> list[Planned]:
    behind = datetime.now(UTC) - timedelta(days=3, seconds=s[2])
    value = await m.codec.encode(m.event("heartbeat.sent", s[1], time=behind.isoformat()))
    return [m.bad("stale", s[1], value, "time_too_old")]


async def _unknown_org(m: Maker, s: Spec) -> list[Planned]:
    value = await m.codec.encode(m.event("incident.reported", s[1]))
    return [m.bad("unknown_org", "vr99", value, "unknown_organisation")]


BUILDERS: dict[str, Build] = {
    builder.__name__.removeprefix("_"): builder
    for builder in (
        _good, _good_bare, _good_lying_headers, _good_long_text, _same_id_two_orgs, _duplicate,
        _random_bytes, _short, _null_value, _truncated, _unknown_schema_id, _not_an_event,
        _wrong_schema, _invalid_payload, _text_too_long, _huge, _spoofed, _not_allowed, _future,
        _stale, _unknown_org,
    )
}  # fmt: skip
GOOD_WEIGHT = ("good", "good", "good", "good", "good_bare", "good_lying_headers")
KINDS = st.sampled_from(sorted(BUILDERS) + list(GOOD_WEIGHT))
SPECS = st.lists(
    st.tuples(KINDS, st.sampled_from(ORGS), st.integers(0, 2**16), st.binary(max_size=48),
              st.text(max_size=6)),
    min_size=BATCH, max_size=BATCH,
)  # fmt: skip


@dataclass
class FuzzHub:
    """One gateway and hub shared by every example of the test, with the run's running total."""

    bootstrap: str
    maker: Maker
    total: Tally = field(default_factory=Tally)
    sent_accepted: int = 0
    sent_rejected: int = 0


@pytest.fixture
async def fuzz_hub(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> AsyncIterator[FuzzHub]:
    """Topics under a prefix of their own, and one gateway reading them."""
    prefix = unique_prefix(unique_name)
    names = await asyncio.to_thread(make_hub_topics, kafka_bootstrap, prefix, (*ORGS, "vr99"))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    ids = {
        "incident": await codec.schema_id(type(fresh_example("incident.reported"))),
        "heartbeat": await codec.schema_id(type(fresh_example("heartbeat.sent"))),
        "not_an_event": await codec.registry.register(
            "nl.kcr.test.FuzzNotAnEvent",
            {"type": "record", "name": "FuzzNotAnEvent", "namespace": "nl.kcr.test",
             "fields": [{"name": "x", "type": "string"}]},
        ),
    }  # fmt: skip
    async with live_gateway(kafka_bootstrap, names, registry_url, POLICY) as live:
        hub = FuzzHub(kafka_bootstrap, Maker(live, codec, ids))
        yield hub
        live.assert_alive()
    print(hub.total.line("ingress fuzz, all examples"))


async def _plan(maker: Maker, specs: list[Spec]) -> list[Planned]:
    maker.made.clear()
    maker.later.clear()
    planned = [p for spec in specs for p in await BUILDERS[spec[0]](maker, spec)]
    return planned + maker.later


async def _check_log_values(hub: FuzzHub, logs: list[Record]) -> None:
    """The log's values carry the event id and source their headers name."""
    for record in logs:
        meta = header_map(record.headers)
        if meta["ce_id"] in hub.maker.made:
            event = await hub.maker.codec.decode_event(record.value)
            assert (event.source, event.id) == (meta["ce_source"], meta["ce_id"])
            assert event.ingested_at is not None


@pytest.mark.slow
@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # shrinking a batch of hundreds takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)  # fmt: skip
@given(specs=SPECS)
async def test_bad_records_are_dead_lettered_and_good_ones_logged_once(
    fuzz_hub: FuzzHub, specs: list[Spec]
) -> None:
    """A batch of mixed records: nothing lost, nothing doubled, every reason as expected."""
    hub, live = fuzz_hub, fuzz_hub.maker.live
    planned = await _plan(hub.maker, specs)
    sent = await send_planned(hub.bootstrap, planned)
    hub.sent_accepted += sum(1 for p in planned if p.accept is not None)
    hub.sent_rejected += sum(1 for p in planned if p.accept is None)
    topics = [live.names.ingress(org) for org in (*ORGS, "vr99")]
    await wait_consumed(hub.bootstrap, live.gateway.wiring.group_id, topics, timeout=90)
    live.assert_alive()
    logs, letters = await read_outputs(hub.bootstrap, live.names)
    tally = reconcile(sent, logs, letters, hub.maker.made)
    print(tally.line(f"ingress fuzz, {len(planned)} records"))
    hub.total.add(tally)
    assert (tally.lost, tally.duplicated, tally.mislabelled) == ([], [], [])
    assert tally.accepted == sum(1 for p in planned if p.accept is not None)
    assert sum(tally.deadlettered.values()) == len(planned) - tally.accepted
    assert (len(logs), len(letters)) == (hub.sent_accepted, hub.sent_rejected)
    assert live.gateway.stats.accepted == hub.sent_accepted
    assert sum(live.gateway.stats.rejected.values()) == hub.sent_rejected
    await _check_log_values(hub, logs)
