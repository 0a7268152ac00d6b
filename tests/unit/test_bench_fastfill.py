"""The benchmark's fast encoder writes what the hub's codec reads: same events, new ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bench.data import realistic_events
from bench.fastfill import EventPool
from hub.codec.headers import header_map
from hub.codec.serde import EventCodec


class _MemoryRegistry:
    """Schemas in a dict (what the codec needs of a registry), for tests without a server."""

    def __init__(self) -> None:
        self.schemas: dict[int, Any] = {}
        self.ids: dict[str, int] = {}

    async def register(self, subject: str, schema: Any) -> int:
        if subject not in self.ids:
            self.ids[subject] = len(self.ids) + 1
            self.schemas[self.ids[subject]] = schema
        return self.ids[subject]

    async def schema_by_id(self, schema_id: int) -> Any:
        return self.schemas.get(schema_id)

    async def set_compatibility(self, subject: str, level: str) -> None:
        return None


async def test_pool_records_decode_to_the_pool_events_with_unique_ids() -> None:
    """Cycling a pool of 50 over 200 records: each decodes, ids unique, headers match."""
    codec = EventCodec(_MemoryRegistry())
    pool_events = list(realistic_events(50))
    pool = await EventPool.build(codec, iter(pool_events), size=50)
    stamp = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    encoded = list(pool.encoded(200, seed=5, ingested_at=stamp))
    decoded = [await codec.decode_event(e.value) for e in encoded]
    assert len({e.id for e in decoded}) == 200
    for n, (record, event) in enumerate(zip(encoded, decoded, strict=True)):
        template = pool_events[n % 50]
        assert event.model_copy(update={"id": template.id, "ingested_at": None}) == template
        assert event.ingested_at == stamp
        headers = header_map((k, v) for k, v in record.headers if isinstance(v, bytes))
        assert headers["ce_id"] == event.id
        assert headers["ce_type"] == event.type
        assert (record.family, record.source, record.key) == (
            event.family, event.source, event.subject.encode()
        )  # fmt: skip


async def test_partner_records_are_left_unstamped() -> None:
    """Without an ingestion stamp the records are as a partner sends them to its ingress."""
    codec = EventCodec(_MemoryRegistry())
    pool = await EventPool.build(codec, realistic_events(10), size=10)
    (record,) = pool.encoded(1)
    assert (await codec.decode_event(record.value)).ingested_at is None
