"""Builders of valid events with plain defaults, for tests, demos and worked examples.

Each builder takes the aggregate id, the event time and the source, plus any payload field
as a keyword to override a default. The event id is derived from the content (pass
``event_id=`` to choose it), so building the same event twice gives an exact duplicate.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hub.contracts.events.advice import AdviceRejected, AdviceRequested, AdviceValidated
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
from hub.contracts.events.information import InformationProvided, InformationRequested
from hub.contracts.events.scenario import ScenarioDefined, ScenarioRetired
from hub.contracts.events.sitrep import SitrepPublished
from hub.contracts.events.subscription import SubscriptionChanged
from hub.domain.hub import HubProjection
from hub.domain.thresholds import Thresholds, load_thresholds

__all__ = [
    "T0",
    "advice_rejected",
    "advice_requested",
    "advice_validated",
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
    "information_provided",
    "information_requested",
    "minutes",
    "quiet_hub",
    "quiet_thresholds",
    "scenario_defined",
    "scenario_retired",
    "sitrep_published",
    "subscription_changed",
]

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
"""A fixed moment to count from."""


def quiet_hub(*events: EventEnvelope) -> HubProjection:
    """A projection with :func:`quiet_thresholds` and ``events`` applied."""
    hub = HubProjection(quiet_thresholds())
    hub.apply_all(events)
    return hub


def quiet_thresholds(silence_minutes: int = 6000) -> Thresholds:
    """The packaged thresholds with no partner expected to send heartbeats.

    No silent-organisation signal then interferes with the workflow under test.
    """
    return load_thresholds().replace(
        "silent_organisation",
        expected_partners=[],
        max_silence_minutes=silence_minutes,
        critical_silence_minutes=silence_minutes,
    )


_E = TypeVar("_E", bound=EventEnvelope)


def minutes(n: float) -> datetime:
    """Return the moment ``n`` minutes after :data:`T0`."""
    return T0 + timedelta(minutes=n)


def _build(model: type[_E], subject: str, at: datetime, source: str, data: dict[str, Any]) -> _E:
    event_id = data.pop("event_id", None)
    tlp = data.pop("tlp", "AMBER")
    recipients = data.pop("recipients", ())
    if event_id is None:
        content = repr(
            (model.declared_type(), subject, at.isoformat(), source, sorted(data.items()))
        )
        event_id = "ev-" + hashlib.blake2b(content.encode(), digest_size=8).hexdigest()
    return model.model_validate(
        {
            "id": event_id,
            "source": source,
            "subject": subject,
            "time": at,
            "tlp": tlp,
            "recipients": recipients,
            "data": data,
        }
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


def information_requested(
    request_id: str, at: datetime, source: str = "ncc", **data: Any
) -> InformationRequested:
    """Return an information request; defaults: to all regions, answers due in an hour."""
    fields = {
        "request_id": request_id,
        "question": f"Question {request_id}",
        "addressees": ["all-regions"],
        "respond_by": at + timedelta(hours=1),
        **data,
    }
    return _build(InformationRequested, request_id, at, source, fields)


def information_provided(
    request_id: str, at: datetime, source: str = "vr19", **data: Any
) -> InformationProvided:
    """Return an answer of ``source`` to information request ``request_id``."""
    fields = {"request_id": request_id, "answer": f"Answer of {source}", **data}
    return _build(InformationProvided, request_id, at, source, fields)


def advice_requested(
    advice_id: str, at: datetime, source: str = "vr19", **data: Any
) -> AdviceRequested:
    """Return a request for advice; defaults: evacuate 1,000 people in the source's region.

    Pass ``parameters`` as a dict of name to value (or as the contract's list).
    """
    parameters = data.pop("parameters", {"people": 1000})
    if isinstance(parameters, dict):
        parameters = [{"name": name, "value": value} for name, value in parameters.items()]
    fields = {
        "advice_id": advice_id,
        "measure": "evacuate",
        "parameters": parameters,
        "region": source,
        **data,
    }
    return _build(AdviceRequested, advice_id, at, source, fields)


def advice_validated(
    advice_id: str, at: datetime, source: str = "locc", **data: Any
) -> AdviceValidated:
    """Return the validation of advice ``advice_id`` (by the LOCC unless told otherwise)."""
    return _build(AdviceValidated, advice_id, at, source, {"advice_id": advice_id, **data})


def advice_rejected(
    advice_id: str, at: datetime, source: str = "locc", **data: Any
) -> AdviceRejected:
    """Return the rejection of advice ``advice_id``, with a reason."""
    fields = {"advice_id": advice_id, "reason": "Not now", **data}
    return _build(AdviceRejected, advice_id, at, source, fields)


def scenario_defined(
    scenario_id: str, at: datetime, source: str = "ncc", **data: Any
) -> ScenarioDefined:
    """Return a scenario definition; pass ``indicators`` as a dict of id to condition."""
    indicators = data.pop("indicators", {})
    if isinstance(indicators, dict):
        indicators = [
            {"indicator_id": key, "description": f"Indicator {key}", "condition": condition}
            for key, condition in indicators.items()
        ]
    fields = {
        "scenario_id": scenario_id,
        "name": f"Scenario {scenario_id}",
        "indicators": indicators,
        **data,
    }
    return _build(ScenarioDefined, scenario_id, at, source, fields)


def scenario_retired(
    scenario_id: str, at: datetime, source: str = "ncc", **data: Any
) -> ScenarioRetired:
    """Return the retirement of scenario ``scenario_id``."""
    fields = {"scenario_id": scenario_id, "reason": "Over", **data}
    return _build(ScenarioRetired, scenario_id, at, source, fields)


def subscription_changed(at: datetime, source: str = "vr19", **data: Any) -> SubscriptionChanged:
    """Return a change of ``source``'s own subscriptions (subject: the source)."""
    subject = data.pop("subject", source)
    return _build(SubscriptionChanged, subject, at, source, dict(data))
