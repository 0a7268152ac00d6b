"""CAP 1.2 out: escalation signals and public incident warnings as CAP alerts.

Both builders produce alerts that validate against the shipped CAP 1.2 schema. Ids are
deterministic so a consumer can follow a thread: every message names the original alert in
``<references>`` and the hub's aggregate id (signal id, incident id) in ``<incidents>``.

- TLP → scope: CLEAR is ``Public``; RED is ``Private`` with the recipients as ``<addresses>``;
  GREEN, AMBER and AMBER+STRICT are ``Restricted`` with ``TLP:<label>`` in ``<restriction>``
  (which :func:`connectors.cap.cap_to_events` reads back).
- Times are UTC in CAP's form (``2026-11-27T03:52:00-00:00``), to the second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from lxml import etree

from connectors.cap.model import CAP_NS
from connectors.cap.tables import load_tables
from connectors.cap.xmlsafe import Element
from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentStatus,
    IncidentUpdated,
)
from hub.contracts.fields import Location
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import EscalationEvent
from hub.contracts.outputs.signals import SignalSeverity
from hub.contracts.reference import load_reference

__all__ = ["HUB_SENDER", "cap_time", "incident_to_cap", "signal_to_cap"]

HUB_SENDER = "kcr-hub"
"""The CAP ``<sender>`` of the hub's own alerts."""

_MSG_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "raised": "Alert",
        "updated": "Update",
        "resolved": "Cancel",
        "reported": "Alert",
        "closed": "Cancel",
    }
)
_SIGNAL_URGENCY: Mapping[SignalSeverity, str] = MappingProxyType(
    {SignalSeverity.CRITICAL: "Immediate", SignalSeverity.WARNING: "Expected"}
)
_SIGNAL_SEVERITY: Mapping[SignalSeverity, str] = MappingProxyType(
    {
        SignalSeverity.CRITICAL: "Severe",
        SignalSeverity.WARNING: "Moderate",
        SignalSeverity.INFO: "Minor",
    }
)
_FORBIDDEN_IN_TOKENS = str.maketrans({" ": "_", ",": "_", "<": "_", "&": "_"})


@dataclass(frozen=True, slots=True)
class _Head:
    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    tlp: Tlp
    recipients: tuple[str, ...]
    source: str
    references: str | None
    incidents: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class _Body:
    language: str
    category: str
    event: str
    response_type: str
    urgency: str
    severity: str
    event_codes: tuple[tuple[str, str], ...]
    onset: datetime | None
    sender_name: str
    headline: str
    description: str
    instruction: str
    parameters: tuple[tuple[str, str], ...]
    regions: tuple[str, ...]
    place: str | None
    location: Location | None


def cap_time(value: datetime) -> str:
    """Return ``value`` as a CAP time: UTC, whole seconds, offset ``-00:00`` (CAP's UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def _token(text: str) -> str:
    """Return ``text`` without the characters CAP forbids in identifiers (space , < &)."""
    return text.translate(_FORBIDDEN_IN_TOKENS)


def _reference(sender: str, identifier: str, sent: datetime) -> str:
    return f"{sender},{identifier},{cap_time(sent)}"


def _signal_identifier(signal_id: str, verb: str, at: datetime) -> str:
    return _token(f"kcr-signal-{signal_id}-{verb}-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}")


def signal_to_cap(event: EscalationEvent, *, sender: str = HUB_SENDER) -> bytes:
    """Return the escalation signal ``event`` as a CAP 1.2 alert (UTF-8 XML bytes).

    Raised → ``Alert``, Updated → ``Update``, Resolved → ``Cancel``; the latter two reference
    the alert of the raise (its identifier is derived from the signal id and ``since``).
    Severity critical/warning/info → CAP Severe/Moderate/Minor, urgency Immediate/Expected/
    Future (Past once resolved), certainty Observed.
    """
    data, verb = event.data, event.verb
    raised = _signal_identifier(data.signal_id, "raised", data.since)
    head = _Head(
        identifier=_signal_identifier(data.signal_id, verb, data.observed_at),
        sender=sender,
        sent=data.observed_at,
        msg_type=_MSG_TYPES[verb],
        tlp=event.tlp,
        recipients=event.recipients,
        source=f"KCR hub, rule {data.rule}",
        references=None if verb == "raised" else _reference(sender, raised, data.since),
        incidents=_token(data.signal_id),
        note=f"Resolved: {data.title}" if verb == "resolved" else None,
    )
    return _render(head, _signal_body(event))


def _signal_body(event: EscalationEvent) -> _Body:
    data, resolved = event.data, event.verb == "resolved"
    return _Body(
        language="en",
        category="Other",
        event=f"KCR escalation signal: {data.rule}",
        response_type="AllClear" if resolved else "Monitor",
        urgency="Past" if resolved else _SIGNAL_URGENCY.get(data.severity, "Future"),
        severity=_SIGNAL_SEVERITY[data.severity],
        event_codes=(("nl.kcr.rule", data.rule),),
        onset=data.since,
        sender_name="KCR hub",
        headline=data.title,
        description=data.details,
        instruction="",
        parameters=(
            ("nl.kcr.signal_id", data.signal_id),
            ("nl.kcr.event_id", event.id),
            *(("nl.kcr.evidence", item) for item in data.evidence),
        ),
        regions=data.regions,
        place=None,
        location=None,
    )


def _incident_identifier(event_id: str) -> str:
    return _token(f"kcr-{event_id}")


def incident_to_cap(
    reported: IncidentReported,
    change: IncidentUpdated | IncidentClosed | None = None,
    *,
    instruction: str = "",
    language: str = "nl-NL",
    sender: str = HUB_SENDER,
) -> bytes:
    """Return a public warning about an incident as a CAP 1.2 alert (UTF-8 XML bytes).

    With ``reported`` alone it is an ``Alert``; with a ``change`` it is an ``Update`` (for
    ``incident.updated``) or a ``Cancel`` (for ``incident.closed``) that references the alert
    of ``reported``. ``instruction`` tells the public what to do. The hub category goes into
    eventCode ``nl.kcr.category`` and the GRIP level into parameter ``GRIP`` (an Update carries
    GRIP only when it changes it); severity and regions come from the change where it has
    them, else from ``reported``.
    """
    event = change or reported
    head = _Head(
        identifier=_incident_identifier(event.id),
        sender=sender,
        sent=event.time,
        msg_type=_MSG_TYPES[event.verb],
        tlp=event.tlp,
        recipients=event.recipients,
        source=event.source,
        references=None
        if change is None
        else _reference(sender, _incident_identifier(reported.id), reported.time),
        incidents=_token(reported.data.incident_id),
        note=change.data.reason if isinstance(change, IncidentClosed) else None,
    )
    return _render(head, _incident_body(reported, change, instruction, language))


def _incident_body(
    reported: IncidentReported,
    change: IncidentUpdated | IncidentClosed | None,
    instruction: str,
    language: str,
) -> _Body:
    data, tables = reported.data, load_tables()
    updated = change.data if isinstance(change, IncidentUpdated) else None
    closed = isinstance(change, IncidentClosed)
    grip = data.grip_level if change is None else (updated.grip_level if updated else None)
    severity = (updated.severity if updated else None) or data.severity
    description = data.description
    if isinstance(change, IncidentClosed):
        description = change.data.reason
    elif updated is not None:
        description = updated.note
    all_clear = closed or (updated is not None and updated.status is IncidentStatus.RECOVERY)
    source = load_registry().get(reported.source)
    return _Body(
        language=language,
        category=tables.cap_categories[data.category],
        event=load_reference().incident_category(data.category).label,
        response_type="AllClear" if all_clear else "Monitor",
        urgency="Past" if closed else "Immediate",
        severity=severity.value.capitalize(),
        event_codes=((tables.event_code_name, data.category),),
        onset=data.started_at,
        sender_name=f"Veiligheidsregio {source.name}" if source.is_region else source.name,
        headline=data.title,
        description=description,
        instruction=instruction,
        parameters=((tables.grip_parameter_name, grip),) if grip is not None else (),
        regions=(updated.regions if updated else None) or data.regions,
        place=data.location.place if data.location else None,
        location=data.location,
    )


def _add(parent: Element, name: str, text: str | None = None) -> Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _add_pairs(parent: Element, name: str, pairs: Sequence[tuple[str, str]]) -> None:
    for value_name, value in pairs:
        pair = _add(parent, name)
        _add(pair, "valueName", value_name)
        _add(pair, "value", value)


def _render(head: _Head, body: _Body) -> bytes:
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _add_head(root, head)
    _add_info(_add(root, "info"), body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _add_head(root: Element, head: _Head) -> None:
    for name, text in (
        ("identifier", head.identifier),
        ("sender", head.sender),
        ("sent", cap_time(head.sent)),
        ("status", "Actual"),
        ("msgType", head.msg_type),
        ("source", head.source),
    ):
        _add(root, name, text)
    if head.tlp is Tlp.CLEAR:
        _add(root, "scope", "Public")
    elif head.tlp is Tlp.RED:
        _add(root, "scope", "Private")
    else:
        _add(root, "scope", "Restricted")
        _add(root, "restriction", f"TLP:{head.tlp.value.replace('_', '+')}")
    if head.recipients:
        _add(root, "addresses", " ".join(head.recipients))
    if head.note:
        _add(root, "note", head.note)
    if head.references:
        _add(root, "references", head.references)
    _add(root, "incidents", head.incidents)


def _add_info(info: Element, body: _Body) -> None:
    for name, text in (
        ("language", body.language),
        ("category", body.category),
        ("event", body.event),
        ("responseType", body.response_type),
        ("urgency", body.urgency),
        ("severity", body.severity),
        ("certainty", "Observed"),
    ):
        _add(info, name, text)
    _add_pairs(info, "eventCode", body.event_codes)
    if body.onset is not None:
        _add(info, "onset", cap_time(body.onset))
    _add(info, "senderName", body.sender_name)
    _add(info, "headline", body.headline)
    for name, text in (("description", body.description), ("instruction", body.instruction)):
        if text:
            _add(info, name, text)
    _add_pairs(info, "parameter", body.parameters)
    if body.regions:
        _add_area(_add(info, "area"), body)


def _add_area(area: Element, body: _Body) -> None:
    registry, tables = load_registry(), load_tables()
    names = ", ".join(registry.get(region).name for region in body.regions)
    _add(area, "areaDesc", body.place or names)
    point = body.location.point if body.location else None
    if point is not None:
        _add(area, "circle", f"{point.lat},{point.lon} 0")
    code_name = tables.region_geocode_names[0]
    _add_pairs(area, "geocode", [(code_name, region) for region in body.regions])
