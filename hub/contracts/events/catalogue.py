"""The event catalogue v1: every event type, its model, and the CloudEvents JSON form.

This is the one place that lists the event types. The gateway, the codec, the schema generator
and the examples all go through :data:`EVENT_TYPES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hub.contracts.errors import InvalidEvent, UnknownEventType
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

__all__ = [
    "EVENT_TYPES",
    "FAMILIES",
    "JSON_CONTENT_TYPE",
    "family_of",
    "model_for",
    "parse_event",
    "to_cloudevent_json",
    "types_of_family",
]

FAMILIES: tuple[str, ...] = (
    "incident",
    "capacity",
    "assistance",
    "sitrep",
    "heartbeat",
    "coordination",
    "information",
    "advice",
    "scenario",
    "subscription",
    "clock",
)
"""The families of the event log: ``kcr.log.<family>`` (clock: hub-internal)."""

JSON_CONTENT_TYPE = "application/json"
"""The only ``datacontenttype`` of the JSON form: ``data`` is a JSON object."""

_JSON_NAMES: Mapping[str, str] = MappingProxyType({"ingested_at": "ingestedat"})
"""Model fields whose CloudEvents attribute name differs (attribute names are [a-z0-9]+)."""

_EVENT_CLASSES: tuple[type[EventEnvelope], ...] = (
    IncidentReported,
    IncidentUpdated,
    IncidentClosed,
    CapacityReported,
    AssistanceRequested,
    AssistanceOffered,
    AssistanceAccepted,
    AssistanceWithdrawn,
    SitrepPublished,
    HeartbeatSent,
    CoordinationAcknowledged,
    InformationRequested,
    InformationProvided,
    AdviceRequested,
    AdviceValidated,
    AdviceRejected,
    ScenarioDefined,
    ScenarioRetired,
    SubscriptionChanged,
    ClockTicked,
)

EVENT_TYPES: Mapping[str, type[EventEnvelope]] = MappingProxyType(
    {cls.declared_type(): cls for cls in _EVENT_CLASSES}
)
"""Every event type of catalogue v1 and the model that validates it."""


def family_of(event_type: str) -> str:
    """Return the family of ``event_type`` (``nl.kcr.<family>.<verb>``), e.g. ``incident``."""
    parts = event_type.split(".")
    if len(parts) != 4 or parts[:2] != ["nl", "kcr"] or parts[2] not in FAMILIES or not parts[3]:
        raise UnknownEventType(event_type, EVENT_TYPES)
    return parts[2]


def types_of_family(family: str) -> tuple[str, ...]:
    """Return the event types of ``family`` in catalogue order (empty for hub families)."""
    return tuple(t for t in EVENT_TYPES if family_of(t) == family)


def model_for(event_type: str) -> type[EventEnvelope]:
    """Return the model of ``event_type``; raise :class:`UnknownEventType` if there is none."""
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(event_type, EVENT_TYPES) from None


def parse_event(obj: Mapping[str, Any]) -> EventEnvelope:
    """Validate a CloudEvents structured-JSON document (``data`` an object) into its event.

    The gateway's stamp is read from ``ingestedat`` (``ingested_at`` is accepted too). Raises
    :class:`UnknownEventType` for a missing or unknown ``type``, :class:`InvalidEvent` for a
    non-JSON ``datacontenttype``, and pydantic's ``ValidationError`` for bad fields; all
    three are ``ValueError``.
    """
    if not isinstance(obj, Mapping):
        raise InvalidEvent("event", f"expected a JSON object, got {type(obj).__name__}")
    event_type = obj.get("type")
    if not isinstance(event_type, str):
        raise UnknownEventType(event_type, EVENT_TYPES)
    model = model_for(event_type)
    fields = _from_json_names(obj)
    content_type = fields.pop("datacontenttype", JSON_CONTENT_TYPE)
    if content_type != JSON_CONTENT_TYPE:
        raise InvalidEvent(
            "datacontenttype",
            f"must be {JSON_CONTENT_TYPE!r} (data as an object), not {content_type!r}",
        )
    return model.model_validate(fields)


def _from_json_names(obj: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(obj)
    for field, attribute in _JSON_NAMES.items():
        if attribute in fields:
            if field in fields:
                raise InvalidEvent(attribute, f"give either {attribute!r} or {field!r}, not both")
            fields[field] = fields.pop(attribute)
    return fields


def to_cloudevent_json(event: EventEnvelope) -> dict[str, Any]:
    """Return ``event`` as a CloudEvents structured-JSON document (a dict ready for json.dumps).

    Absent optional attributes are left out; ``recipients`` becomes the CloudEvents string
    ``"vr01,vr02"``; ``ingested_at`` becomes the attribute ``ingestedat`` (CloudEvents names
    are lowercase letters and digits); times are RFC 3339 in UTC; ``data`` is a JSON object.
    """
    document = event.model_dump(mode="json", exclude={"data", "recipients"}, exclude_none=True)
    for field, attribute in _JSON_NAMES.items():
        if field in document:
            document[attribute] = document.pop(field)
    if event.recipients:
        document["recipients"] = ",".join(event.recipients)
    document["datacontenttype"] = JSON_CONTENT_TYPE
    document["data"] = event.data.model_dump(mode="json")
    return document
