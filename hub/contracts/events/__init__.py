"""The event catalogue v1: the envelope, one module per family, and the catalogue itself."""

from hub.contracts.events.catalogue import (
    EVENT_TYPES,
    FAMILIES,
    family_of,
    model_for,
    parse_event,
    to_cloudevent_json,
)
from hub.contracts.events.envelope import EventData, EventEnvelope, Tlp

__all__ = [
    "EVENT_TYPES",
    "FAMILIES",
    "EventData",
    "EventEnvelope",
    "Tlp",
    "family_of",
    "model_for",
    "parse_event",
    "to_cloudevent_json",
]
