"""The hub's outputs: escalation signals and the records of the compacted view topics.

These are not log events (partners never publish them), so they stay out of the event
catalogue: :data:`OUTPUT_TYPES` lists the signal event types and :data:`VIEW_MODELS` the view
records by key prefix. Both are generated to Avro with
:func:`hub.contracts.avro_schema.avro_schema_for` like the events, in the namespace
:func:`output_namespace` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel

from hub.contracts.events.envelope import EventEnvelope
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
    SITUATION,
    CategoryIncidents,
    GripRegions,
    IncidentView,
    NationalSituationView,
    OrgCapacity,
    RegionView,
    ResourceCapacityView,
    SitrepDigest,
    View,
)

__all__ = [
    "CAPACITY",
    "OUTPUT_TYPES",
    "SITUATION",
    "VIEW_MODELS",
    "CategoryIncidents",
    "EscalationData",
    "EscalationEvent",
    "EscalationRaised",
    "EscalationResolved",
    "EscalationUpdated",
    "GripRegions",
    "IncidentView",
    "NationalSituationView",
    "OrgCapacity",
    "RegionView",
    "ResourceCapacityView",
    "SignalSeverity",
    "SitrepDigest",
    "View",
    "output_namespace",
    "signal_event_id",
    "view_model_for",
]

EscalationEvent = EscalationRaised | EscalationUpdated | EscalationResolved
"""Any of the three escalation events."""

OUTPUT_TYPES: Mapping[str, type[EventEnvelope]] = MappingProxyType(
    {cls.declared_type(): cls for cls in (EscalationRaised, EscalationUpdated, EscalationResolved)}
)
"""The event types the hub publishes as outputs (``kcr.signal.escalation``) and their models."""

VIEW_MODELS: Mapping[str, tuple[str, type[BaseModel]]] = MappingProxyType(
    {
        "incident": (SITUATION, IncidentView),
        "region": (SITUATION, RegionView),
        "national": (SITUATION, NationalSituationView),
        "resource": (CAPACITY, ResourceCapacityView),
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
    """Return the Avro namespace of an output model: ``nl.kcr.escalation`` or ``nl.kcr.view``."""
    return "nl.kcr.escalation" if issubclass(model, EventEnvelope) else "nl.kcr.view"
