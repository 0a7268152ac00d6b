"""The national crisis's events: the live mix, the long history, and their stamped records."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from bench.crisis import (
    MIX,
    Planned,
    Stamper,
    event_id,
    incident_id,
    incident_region,
    lifecycle_plan,
    plan_mix,
    planned_event,
)
from hub.codec.headers import header_map
from hub.codec.serde import EventCodec
from hub.contracts.organisations import load_registry
from tests.unit.test_bench_fastfill import _MemoryRegistry

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_mix_has_its_shares_and_every_event_is_allowed_to_its_publisher() -> None:
    """Each kind near its share; each planned event valid and publishable by its source."""
    plan = plan_mix(5000, active=300, first_new=300, seed=4)
    counts = Counter(p.kind for p in plan)
    for kind, share in MIX:
        assert abs(counts[kind] / len(plan) - share) < 0.02, kind
    registry = load_registry()
    for n, planned in enumerate(plan[:600]):
        event = planned_event(planned, NOW, event_id(0, n))
        assert registry.may_publish(event.source, event.type), (event.source, event.type)


def test_the_mix_updates_history_incidents_from_their_region_and_numbers_new_ones_uniquely() -> (
    None
):
    """Updates stay among the active incidents and come from the reporting region."""
    plan = plan_mix(3000, active=100, first_new=100, seed=1)
    updates = [p for p in plan if p.kind == "incident_updated"]
    assert updates
    assert all(p.number is not None and p.number < 100 for p in updates)
    assert all(p.source == incident_region(p.number or 0) for p in updates)
    numbered = [p.number for p in plan if p.kind != "incident_updated" and p.number is not None]
    assert len(numbered) == len(set(numbered))
    assert min(numbered) == 100
    assert plan == plan_mix(3000, active=100, first_new=100, seed=1)  # reproducible


def test_a_long_history_keeps_the_active_incidents_open_and_closes_the_others() -> None:
    """Active incidents only reported; the rest reported, updated twice, closed (mostly)."""
    plan = list(lifecycle_plan(10_000, active=500, open_at_once=90))
    assert len(plan) == 10_000
    by_incident: dict[int, list[str]] = {}
    for p in plan:
        by_incident.setdefault(p.number or 0, []).append(p.kind)
    assert all(by_incident[n] == ["incident_reported"] for n in range(500))
    lifecycles = [kinds for n, kinds in by_incident.items() if n >= 500]
    complete = ["incident_reported", "incident_updated", "incident_updated", "incident_closed"]
    assert sum(kinds == complete for kinds in lifecycles) > 0.9 * len(lifecycles)
    open_at_end = sum("incident_closed" not in kinds for kinds in lifecycles)
    assert open_at_end <= 91


async def test_stamped_records_decode_to_the_planned_events() -> None:
    """A stamped record is the planned event: its id, aggregate, source, key and headers."""
    codec = EventCodec(_MemoryRegistry())
    stamper = Stamper(await Stamper.schema_ids(codec), NOW, ingested_at=NOW)
    plan = [*plan_mix(400, active=50, first_new=50, seed=2), Planned("incident_closed", "vr03", 7)]
    for n, planned in enumerate(plan):
        record = stamper.stamp(planned, event_id(5, n))
        event = await codec.decode_event(record.value)
        expected = planned_event(planned, NOW, event_id(5, n))
        assert event.model_copy(update={"ingested_at": None}) == expected
        assert event.ingested_at == NOW
        assert record.key == event.subject.encode()
        assert (record.family, record.source) == (event.family, event.source)
        headers = header_map((k, v) for k, v in record.headers if isinstance(v, bytes))
        assert headers["ce_id"] == event.id
        assert headers["ce_subject"] == event.subject


def test_incident_numbers_name_the_incident_and_its_region() -> None:
    """Incident n is nc-<9 digits>, from region vr<n % 25 + 1>."""
    assert incident_id(7) == "nc-000000007"
    assert incident_region(0) == "vr01"
    assert incident_region(26) == "vr02"
    assert len({event_id(1, n) for n in range(1000)} | {event_id(2, 0)}) == 1001
