"""Realistic benchmark events: every partner family, all 25 regions, unique ids."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.domain import testing as given

__all__ = ["realistic_events"]

_RESOURCES = ("pump", "sandbag", "shelter_place", "bus", "ambulance", "icu_bed", "generator")
_CATEGORIES = ("flood", "storm", "fire", "public_order", "power_outage")


def _one(rnd: random.Random, region: str, at: datetime, n: int) -> EventEnvelope:
    kind = n % 10
    if kind < 4:
        return given.heartbeat(at, region)
    if kind < 7:
        total = rnd.randint(10, 500)
        return given.capacity_reported(
            rnd.choice(_RESOURCES), at, region, total=total, available=rnd.randint(0, total)
        )
    incident = f"inc-{region}-{n % 97}"
    if kind == 7:
        return given.incident_reported(
            incident,
            at,
            region,
            category=rnd.choice(_CATEGORIES),
            grip_level=str(rnd.randint(0, 4)),
        )
    if kind == 8:
        return given.incident_updated(incident, at, region, grip_level=str(rnd.randint(0, 4)))
    return given.sitrep_published(f"sr-{region}-{n}", at, region, incident_id=incident)


def realistic_events(count: int, seed: int = 7) -> Iterator[EventEnvelope]:
    """Yield ``count`` events from the 25 regions, each with a unique id, times near now."""
    rnd = random.Random(seed)
    regions = load_registry().region_ids()
    start = datetime.now(UTC) - timedelta(minutes=1)
    for n in range(count):
        region = regions[n % len(regions)]
        at = start + timedelta(microseconds=n)
        event = _one(rnd, region, at, n)
        yield event.model_copy(update={"id": str(uuid.UUID(int=rnd.getrandbits(128)))})
