"""Builders of valid events with plain defaults, for tests, demos and worked examples.

Each builder takes the aggregate id, the event time and the source, plus any payload field
as a keyword to override a default. The event id is derived from the content (pass
``event_id=`` to choose it), so building the same event twice gives an exact duplicate.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hub.contracts.events.assistance import (
    AssistanceAccepted,
    AssistanceOffered,
    AssistanceRequested,
    AssistanceWithdrawn,
)
from hub.contracts.events.capacity import CapacityReported
from hub.contracts.events.clock import ClockTicked
from hub.contracts.events.coordination import CoordinationAcknowledged
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.heartbeat import HeartbeatSent
from hub.contracts.events.incident import IncidentClosed, IncidentReported, IncidentUpdated
from hub.contracts.events.sitrep import SitrepPublished

__all__ = [
    "T0",
    "assistance_accepted",
    "assistance_offered",
    "assistance_requested",
    "assistance_withdrawn",
    "capacity_reported",
    "clock_ticked",
    "coordination_acknowledged",
    "heartbeat",
    "incident_closed",
    "incident_reported",
    "incident_updated",
    "minutes",
    "sitrep_published",
]

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
"""A fixed moment to count from."""

_E = TypeVar("_E", bound=EventEnvelope)


def minutes(n: float) -> datetime:
    """Return the moment ``n`` minutes after :data:`T0`."""
    return T0 + timedelta(minutes=n)


def _build(model: type[_E], subject: str, at: datetime, source: str, data: dict[str, Any]) -> _E:
    event_id = data.pop("event_id", None)
    tlp = data.pop("tlp", "AMBER")
    if event_id is None:
        content = repr(
            (model.declared_type(), subject, at.isoformat(), source, sorted(data.items()))
        )
        event_id = "ev-" + hashlib.blake2b(content.encode(), digest_size=8).hexdigest()
    return model.model_validate(
        {"id": event_id, "source": source, "subject": subject, "time": at, "tlp": tlp, "data": data}
    )


def incident_reported(
    incident_id: str, at: datetime, source: str = "vr19", **data: Any
) -> IncidentReported:
    """Return an incident report; defaults: a flood at GRIP 1 in the source's region."""
    fields = {
        "incident_id": incident_id,
        "category": "flood",
        "title": f"Incident {incident_id}",
        "regions": [source],
        "grip_level": "1",
        "severity": "moderate",
        "started_at": at,
        **data,
    }
    return _build(IncidentReported, incident_id, at, source, fields)


def incident_updated(
    incident_id: str, at: datetime, source: str = "vr19", **data: Any
) -> IncidentUpdated:
    """Return an incident update; default status 'active', nothing else changed."""
    fields = {"incident_id": incident_id, "status": "active", **data}
    return _build(IncidentUpdated, incident_id, at, source, fields)


def incident_closed(
    incident_id: str, at: datetime, source: str = "vr19", **data: Any
) -> IncidentClosed:
    """Return the closure of an incident, closed at ``at``."""
    fields = {"incident_id": incident_id, "reason": "Over", "closed_at": at, **data}
    return _build(IncidentClosed, incident_id, at, source, fields)


def sitrep_published(
    sitrep_id: str, at: datetime, source: str = "vr19", **data: Any
) -> SitrepPublished:
    """Return a situation report; pass ``incident_id=`` to tie it to an incident."""
    fields = {"sitrep_id": sitrep_id, "summary": f"Sitrep {sitrep_id}", **data}
    return _build(SitrepPublished, sitrep_id, at, source, fields)


def capacity_reported(
    resource_type: str, at: datetime, source: str = "vr19", **data: Any
) -> CapacityReported:
    """Return a capacity report; defaults: 10 in total, all available, valid for a day."""
    fields = {
        "resource_type": resource_type,
        "total": 10,
        "available": 10,
        "valid_until": at + timedelta(days=1),
        **data,
    }
    return _build(CapacityReported, f"{source}/{resource_type}", at, source, fields)


def heartbeat(at: datetime, source: str = "vr19", **data: Any) -> HeartbeatSent:
    """Return a heartbeat of ``source``, status ok."""
    return _build(HeartbeatSent, source, at, source, {"status": "ok", **data})


def assistance_requested(
    request_id: str, at: datetime, source: str = "vr19", **data: Any
) -> AssistanceRequested:
    """Return an assistance request; defaults: 5 pumps in the source's region within 2 hours."""
    fields = {
        "request_id": request_id,
        "resource_type": "pump",
        "quantity": 5,
        "region": source,
        "needed_by": at + timedelta(hours=2),
        **data,
    }
    return _build(AssistanceRequested, request_id, at, source, fields)


def assistance_offered(
    request_id: str, at: datetime, source: str = "vr18", **data: Any
) -> AssistanceOffered:
    """Return an offer against ``request_id``; defaults: offer ``<source>-offer`` of 5 pumps."""
    fields = {
        "request_id": request_id,
        "offer_id": f"{source}-offer",
        "resource_type": "pump",
        "quantity": 5,
        **data,
    }
    return _build(AssistanceOffered, request_id, at, source, fields)


def assistance_accepted(
    request_id: str, at: datetime, source: str = "vr19", **data: Any
) -> AssistanceAccepted:
    """Return the acceptance of an offer; defaults: 5 units of offer ``vr18-offer``."""
    fields = {"request_id": request_id, "offer_id": "vr18-offer", "quantity": 5, **data}
    return _build(AssistanceAccepted, request_id, at, source, fields)


def assistance_withdrawn(
    request_id: str, at: datetime, source: str = "vr19", **data: Any
) -> AssistanceWithdrawn:
    """Return the withdrawal of a request (or of an offer, with ``offer_id=``)."""
    fields = {"request_id": request_id, "reason": "No longer needed", **data}
    return _build(AssistanceWithdrawn, request_id, at, source, fields)


def coordination_acknowledged(
    request_id: str, at: datetime, source: str = "vr19", **data: Any
) -> CoordinationAcknowledged:
    """Return the acknowledgement of coordination request ``request_id`` ('noted')."""
    fields = {"request_id": request_id, "response": "noted", **data}
    return _build(CoordinationAcknowledged, request_id, at, source, fields)


def clock_ticked(tick: int, at: datetime, **data: Any) -> ClockTicked:
    """Return clock tick number ``tick`` at ``at``."""
    return ClockTicked.model_validate(
        {"id": f"tick-{tick}", "time": at, "data": {"tick": tick, **data}}
    )
