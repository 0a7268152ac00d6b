"""The national crisis's events: a history of active incidents and a live mix, stamped fast.

Every event is one of a few hundred templates (per region, category, resource, time slot...)
encoded once with placeholder ids; a record is its template's bytes with the event id and the
aggregate id (incident, request) put in their place. Both placeholders have the length of what
replaces them, so the Avro length prefixes stay right (as :mod:`bench.fastfill` does for ids).

Incident ``n`` is ``nc-<n, 9 digits>`` of region ``vr<n % 25 + 1>``: a history incident, an
update of it and a new incident of the mix all agree on who owns it.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import fastavro

from bench.fastfill import EncodedEvent
from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.codec.wire import pack
from hub.contracts.avro_schema import avro_schema_for, to_avro_record
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.domain import testing as given

__all__ = [
    "CATEGORIES",
    "MIX",
    "RESOURCES",
    "Planned",
    "Stamper",
    "event_id",
    "history_event",
    "incident_id",
    "incident_region",
    "lifecycle_plan",
    "plan_mix",
    "planned_event",
]

REGIONS: tuple[str, ...] = tuple(f"vr{n:02d}" for n in range(1, 26))
CATEGORIES = ("flood", "storm", "fire", "public_order", "power_outage")
RESOURCES = ("pump", "sandbag", "shelter_place", "bus", "ambulance", "icu_bed", "generator")
SLOTS = 24  # history incidents started in one of the last 24 hours
ASKERS = ("ncc", "locc", "min-jenv", "min-bzk", "min-ienw", "min-vws", "min-def")

MIX: tuple[tuple[str, float], ...] = (
    ("incident_updated", 0.40),
    ("incident_reported", 0.10),
    ("capacity_reported", 0.25),
    ("heartbeat", 0.20),
    ("assistance_requested", 0.03),
    ("information_requested", 0.02),
)
"""The live mix: kind (a :mod:`hub.domain.testing` builder) and its share of the events."""

_ID = "5f0c7d3e-9a41-4b7e-8c2d-6e1f0a9b3c57"  # no real event carries it
_SUBJECT = "xqqqqqqqq"  # the 9 digits of an aggregate id


def incident_id(n: int) -> str:
    """The id of incident number ``n``."""
    return f"nc-{n:09d}"


def incident_region(n: int) -> str:
    """The region that reports incident number ``n``."""
    return REGIONS[n % len(REGIONS)]


def event_id(seed: int, n: int) -> str:
    """A unique version-4 UUID string per (seed < 4096, n < 2**60), made without ``uuid``."""
    h = f"{(seed << 64) | n:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


@dataclass(frozen=True)
class Planned:
    """One event to send: its builder (``kind``), source, aggregate number and variant."""

    kind: str
    source: str
    number: int | None = None  # incident / request number, for kinds with their own aggregate
    variant: int = 0  # which template of the kind (resource, GRIP level, slot...)


def plan_mix(count: int, *, active: int, first_new: int, seed: int = 0) -> list[Planned]:
    """``count`` events of the live :data:`MIX`, in a random but reproducible order.

    Updates touch one of the ``active`` history incidents (from its own region); new incidents
    are numbered from ``first_new`` on; requests are numbered from ``first_new`` too (their ids
    have their own prefix, so they never meet an incident's).
    """
    rnd = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [share for _, share in MIX]
    orgs = [o for o in load_registry().ids() if o not in ("hub", "analysts")]
    plan: list[Planned] = []
    fresh = first_new
    for kind in rnd.choices(kinds, weights, k=count):
        if kind == "incident_updated":
            n = rnd.randrange(active)
            plan.append(Planned(kind, incident_region(n), n, rnd.randrange(3)))
        elif kind == "incident_reported":
            plan.append(Planned(kind, incident_region(fresh), fresh))
            fresh += 1
        elif kind == "capacity_reported":
            plan.append(Planned(kind, rnd.choice(REGIONS), None, rnd.randrange(len(RESOURCES))))
        elif kind == "heartbeat":
            plan.append(Planned(kind, rnd.choice(orgs)))
        elif kind == "assistance_requested":
            plan.append(Planned(kind, rnd.choice(REGIONS), fresh, rnd.randrange(len(RESOURCES))))
            fresh += 1
        else:
            plan.append(Planned(kind, rnd.choice(ASKERS), fresh))
            fresh += 1
    return plan


def lifecycle_plan(count: int, *, active: int, open_at_once: int = 1000) -> Iterator[Planned]:
    """A long history of ``count`` events, as planned events.

    First ``active`` incidents reported and left open, then incidents each reported, updated
    twice and closed, about ``open_at_once`` of them open at a time.
    """
    for n in range(min(active, count)):
        yield Planned("incident_reported", incident_region(n), n, n % (len(CATEGORIES) * SLOTS))
    step, written = 0, min(active, count)
    third = max(1, open_at_once // 3)
    while written < count:
        stages = (("incident_reported", 0), ("incident_updated", third),
                  ("incident_updated", 2 * third), ("incident_closed", open_at_once))  # fmt: skip
        for kind, lag in stages:
            k = step - lag
            if k >= 0 and written < count:
                n = active + k
                yield Planned(kind, incident_region(n), n, n % (len(CATEGORIES) * SLOTS))
                written += 1
        step += 1


def history_event(n: int, now: datetime, seed: int = 0) -> EventEnvelope:
    """History incident ``n`` as reported: region, category and start hour spread evenly."""
    planned = Planned("incident_reported", incident_region(n), n, n % (len(CATEGORIES) * SLOTS))
    return planned_event(planned, now, event_id(seed, n))


def planned_event(planned: Planned, now: datetime, event: str | None = None) -> EventEnvelope:
    """The event ``planned`` stands for, at ``now`` (its aggregate id is real unless a template)."""
    number = _SUBJECT if planned.number is None else f"{planned.number:09d}"
    return _builders()[planned.kind](planned, number, now, event or _ID)


def _builders() -> dict[str, Callable[[Planned, str, datetime, str], EventEnvelope]]:
    def reported(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        category = CATEGORIES[p.variant % len(CATEGORIES)]
        started = now - timedelta(hours=(p.variant // len(CATEGORIES)) % SLOTS, minutes=1)
        return given.incident_reported(f"nc-{n}", started, p.source, category=category,
                                       grip_level="1", event_id=eid)  # fmt: skip

    def updated(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        return given.incident_updated(f"nc-{n}", now, p.source, grip_level=str(1 + p.variant % 3),
                                      affected_people=100 * p.variant, event_id=eid)  # fmt: skip

    def closed(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        return given.incident_closed(f"nc-{n}", now, p.source, event_id=eid)

    def capacity(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        return given.capacity_reported(RESOURCES[p.variant % len(RESOURCES)], now, p.source,
                                       total=100, available=50, event_id=eid)  # fmt: skip

    def heartbeat(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        return given.heartbeat(now, p.source, event_id=eid)

    def assistance(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        return given.assistance_requested(f"ar-{n}", now, p.source, quantity=3,
                                          resource_type=RESOURCES[p.variant % len(RESOURCES)],
                                          event_id=eid)  # fmt: skip

    def information(p: Planned, n: str, now: datetime, eid: str) -> EventEnvelope:
        return given.information_requested(f"ir-{n}", now, p.source, event_id=eid)

    return {"incident_reported": reported, "incident_updated": updated, "incident_closed": closed,
            "capacity_reported": capacity, "heartbeat": heartbeat,
            "assistance_requested": assistance, "information_requested": information}  # fmt: skip


@dataclass(frozen=True)
class _Template:
    family: str
    source: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    subject: bytes  # the key when the aggregate is not stamped


class Stamper:
    """Encodes each (kind, source, variant) once, then stamps ids into copies of its bytes."""

    def __init__(self, ids: dict[type, int], now: datetime, ingested_at: datetime | None = None):
        """Templates at event time ``now``; ``ingested_at`` stamps them as the gateway would.

        ``ids``: the registry id of each model's schema (see :meth:`schema_ids`).
        """
        self.ids = ids
        self.now = now
        self.ingested_at = ingested_at
        self._parsed: dict[type, Any] = {}
        self._templates: dict[tuple[str, str, int], _Template] = {}

    @staticmethod
    async def schema_ids(codec: EventCodec) -> dict[type, int]:
        """Register every schema with ``codec``'s registry; return each model's id."""
        await codec.register_all()
        return {model: schema_id for schema_id, model in codec.registered().items()}

    def _template(self, p: Planned) -> _Template:
        key = (p.kind, p.source, p.variant)
        found = self._templates.get(key)
        if found is not None:
            return found
        event = planned_event(Planned(p.kind, p.source, None, p.variant), self.now)
        model = type(event)
        if model not in self._parsed:
            self._parsed[model] = fastavro.parse_schema(avro_schema_for(model))
        buffer = io.BytesIO()
        record = {**to_avro_record(event), "ingested_at": self.ingested_at}
        fastavro.schemaless_writer(buffer, self._parsed[model], record)
        value = pack(self.ids[model], buffer.getvalue())
        if value.count(_ID.encode()) != 1:
            raise ValueError(f"the id placeholder is not once in a {event.type} record")
        headers = tuple((k, v) for k, v in to_ce_headers(event) if isinstance(v, bytes))
        template = _Template(event.family, event.source, value, headers, event.subject.encode())
        self._templates[key] = template
        return template

    def stamp(self, planned: Planned, eid: str) -> EncodedEvent:
        """The record of ``planned`` with event id ``eid`` (its template made on first use)."""
        template = self._template(planned)
        marks = [(_ID.encode(), eid.encode())]
        key = template.subject
        if planned.number is not None:
            digits = f"{planned.number:09d}".encode()
            marks.append((_SUBJECT.encode(), digits))
            key = key.replace(_SUBJECT.encode(), digits)
        value, headers = template.value, list(template.headers)
        for old, new in marks:
            value = value.replace(old, new)
            headers = [(k, v.replace(old, new)) for k, v in headers]
        framed: list[tuple[str, str | bytes | None]] = [(k, v) for k, v in headers]
        return EncodedEvent(template.family, template.source, key, value, framed)
