"""The hub's outputs: escalation signals, workflow events and the records of the view topics.

These are not log events (partners never publish them), so they stay out of the event
catalogue: :data:`OUTPUT_TYPES` lists the output event types and :data:`VIEW_MODELS` the view
records by key prefix. Both are generated to Avro with
:func:`hub.contracts.avro_schema.avro_schema_for` like the events, in the namespace
:func:`output_namespace` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs.advice import (
    AdviceDraftData,
    AdviceDrafted,
    AdviceLine,
    AdvicePublished,
    AdviceRejectionNoted,
    AdviceValidationRefused,
)
from hub.contracts.outputs.assistance import (
    AssistanceExpired,
    AssistanceFulfilled,
    AssistanceOutcomeData,
    Contribution,
)
from hub.contracts.outputs.base import HubOutput, bounded_id, output_event_id, stricter
from hub.contracts.outputs.coordination import CoordinationRequested, CoordinationRequestedData
from hub.contracts.outputs.information import (
    InformationAnswer,
    InformationForwarded,
    InformationReminded,
    InformationSummarised,
)
from hub.contracts.outputs.notices import IngressRejected, IngressRejectedData
from hub.contracts.outputs.signals import (
    EscalationData,
    EscalationRaised,
    EscalationResolved,
    EscalationUpdated,
    SignalSeverity,
    signal_event_id,
)
from hub.contracts.outputs.views import (
    CAPACITY,
    SCENARIOS,
    SITUATION,
    CategoryIncidents,
    GripRegions,
    IncidentView,
    IndicatorView,
    NationalSituationView,
    ObservedMetric,
    OrgCapacity,
    RegionView,
    ResourceCapacityView,
    ScenarioView,
    SitrepDigest,
    View,
)

__all__ = [
    "CAPACITY",
    "OUTPUT_TYPES",
    "SCENARIOS",
    "SITUATION",
    "VIEW_MODELS",
    "AdviceDraftData",
    "AdviceDrafted",
    "AdviceEvent",
    "AdviceLine",
    "AdvicePublished",
    "AdviceRejectionNoted",
    "AdviceValidationRefused",
    "AssistanceEvent",
    "AssistanceExpired",
    "AssistanceFulfilled",
    "AssistanceOutcomeData",
    "CategoryIncidents",
    "Contribution",
    "CoordinationRequested",
    "CoordinationRequestedData",
    "EscalationData",
    "EscalationEvent",
    "EscalationRaised",
    "EscalationResolved",
    "EscalationUpdated",
    "GripRegions",
    "HubOutput",
    "IncidentView",
    "IndicatorView",
    "InformationAnswer",
    "InformationEvent",
    "InformationForwarded",
    "InformationReminded",
    "InformationSummarised",
    "IngressRejected",
    "IngressRejectedData",
    "NationalSituationView",
    "ObservedMetric",
    "OrgCapacity",
    "OutputEvent",
    "RegionView",
    "ResourceCapacityView",
    "ScenarioView",
    "SignalSeverity",
    "SitrepDigest",
    "View",
    "bounded_id",
    "output_event_id",
    "output_namespace",
    "signal_event_id",
    "stricter",
    "view_model_for",
]

EscalationEvent = EscalationRaised | EscalationUpdated | EscalationResolved
"""Any of the three escalation events."""
AssistanceEvent = AssistanceFulfilled | AssistanceExpired
"""Any assistance outcome."""
InformationEvent = InformationForwarded | InformationReminded | InformationSummarised
"""Any information output."""
AdviceEvent = AdviceDrafted | AdvicePublished | AdviceRejectionNoted | AdviceValidationRefused
"""Any advice output."""
OutputEvent = (
    EscalationEvent
    | CoordinationRequested
    | AssistanceEvent
    | InformationEvent
    | AdviceEvent
    | IngressRejected
)
"""Any output event of the hub."""

_OUTPUT_CLASSES: tuple[type[EventEnvelope], ...] = (
    EscalationRaised,
    EscalationUpdated,
    EscalationResolved,
    CoordinationRequested,
    AssistanceFulfilled,
    AssistanceExpired,
    InformationForwarded,
    InformationReminded,
    InformationSummarised,
    AdviceDrafted,
    AdvicePublished,
    AdviceRejectionNoted,
    AdviceValidationRefused,
    IngressRejected,
)

OUTPUT_TYPES: Mapping[str, type[EventEnvelope]] = MappingProxyType(
    {cls.declared_type(): cls for cls in _OUTPUT_CLASSES}
)
"""The event types the hub publishes as outputs and their models.

Escalations go to ``kcr.signal.escalation``, coordination requests to ``kcr.coordination``,
advice to ``kcr.advice``; every output also reaches the outboxes the router picks. The
gateway's notices of a refused record (``nl.kcr.ingress.rejected``) go only to the sender's
outbox.
"""

VIEW_MODELS: Mapping[str, tuple[str, type[BaseModel]]] = MappingProxyType(
    {
        "incident": (SITUATION, IncidentView),
        "region": (SITUATION, RegionView),
        "national": (SITUATION, NationalSituationView),
        "resource": (CAPACITY, ResourceCapacityView),
        "scenario": (SCENARIOS, ScenarioView),
    }
)
"""By key prefix (the part before '/'): the view kind (topic ``kcr.view.<kind>``) and model."""


def view_model_for(key: str) -> tuple[str, type[BaseModel]]:
    """Return the view kind and model of a view record key such as ``region/vr19``."""
    prefix = key.split("/", 1)[0]
    try:
        return VIEW_MODELS[prefix]
    except KeyError:
        raise KeyError(
            f"no view record has key {key!r}; prefixes: {', '.join(VIEW_MODELS)}"
        ) from None


def output_namespace(model: type[BaseModel]) -> str:
    """Return the Avro namespace of an output model: ``nl.kcr.<family>`` or ``nl.kcr.view``.

    An output event's family is the third part of its type, e.g. ``nl.kcr.escalation``.
    """
    if issubclass(model, EventEnvelope):
        return f"nl.kcr.{model.declared_type().split('.')[2]}"
    return "nl.kcr.view"
