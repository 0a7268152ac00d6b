"""OASIS CAP 1.2 in and out: alerts to incident events; signals, advice, warnings to alerts.

In: :func:`cap_to_events` validates a CAP message against the shipped CAP 1.2 schema and maps
it to one ``incident.reported``/``updated``/``closed`` event (:class:`CapImport`), or raises
:class:`CapRefused` with a reason code. Out: :func:`signal_to_cap` for escalation signals,
:func:`advice_to_cap` for validated advice and :func:`incident_to_cap` for public warnings.
The mapping choices are documented in :mod:`connectors.cap.inbound`, :mod:`connectors.cap.area`
and :mod:`connectors.cap.outbound`.
"""

from connectors.cap.errors import REASONS, CapRefused, CapSchemaError, XsdViolation
from connectors.cap.inbound import CapImport, IncidentEvent, cap_event_id, cap_to_events
from connectors.cap.outbound import (
    HUB_SENDER,
    advice_to_cap,
    cap_time,
    incident_to_cap,
    signal_to_cap,
)

__all__ = [
    "HUB_SENDER",
    "REASONS",
    "CapImport",
    "CapRefused",
    "CapSchemaError",
    "IncidentEvent",
    "XsdViolation",
    "advice_to_cap",
    "cap_event_id",
    "cap_time",
    "cap_to_events",
    "incident_to_cap",
    "signal_to_cap",
]
