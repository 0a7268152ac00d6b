"""CAP 1.2 out: escalation signals, validated advice and public incident warnings as CAP alerts.

All builders produce alerts that validate against the shipped CAP 1.2 schema. Ids are
deterministic so a consumer can follow a thread: every message names the original alert in
``<references>`` and the hub's aggregate id (signal id, advice id, incident id) in
``<incidents>``.

- TLP → scope: CLEAR is ``Public``; RED is ``Private`` with the recipients as ``<addresses>``;
  GREEN, AMBER and AMBER+STRICT are ``Restricted`` with ``TLP:<label>`` in ``<restriction>``
  (which :func:`connectors.cap.cap_to_events` reads back).
- Times are UTC in CAP's form (``2026-11-27T03:52:00-00:00``), to the second.
- A validated advice (``nl.kcr.advice.published``) is an ``Alert`` of category ``Safety``,
  identifier ``kcr-advice-<advice id>`` (the hub publishes an advice at most once). Its
  responseType is ``Evacuate`` for the measure ``evacuate`` and ``Prepare`` for any other when
  the verdict is feasible (with or without assistance), and ``Assess`` when it is not feasible
  or the request was invalid (an advice against a measure must not tell anyone to take it);
  urgency ``Expected`` (the measure is to be prepared now, it is not yet under way); severity
  ``Severe`` for an evacuation (advised only when lives are threatened), else ``Moderate``;
  certainty ``Likely`` (a validated estimate of feasibility, not an observation). The draft's
  explanation of its numbers is the ``<description>``, the validator's note the ``<note>``,
  the measure's region the ``<area>``; measure and verdict are eventCodes, the measure's
  parameters ``nl.kcr.parameter.<name>`` parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from connectors.cap._alert import Body, Head, cap_time, reference, render, token
from connectors.cap.tables import load_tables
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentStatus,
    IncidentUpdated,
)
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import AdvicePublished, EscalationEvent
from hub.contracts.outputs.signals import SignalSeverity
from hub.contracts.reference import load_reference

__all__ = ["HUB_SENDER", "advice_to_cap", "cap_time", "incident_to_cap", "signal_to_cap"]

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


def _signal_identifier(signal_id: str, verb: str, at: datetime) -> str:
    return token(f"kcr-signal-{signal_id}-{verb}-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}")


def signal_to_cap(event: EscalationEvent, *, sender: str = HUB_SENDER) -> bytes:
    """Return the escalation signal ``event`` as a CAP 1.2 alert (UTF-8 XML bytes).

    Raised → ``Alert``, Updated → ``Update``, Resolved → ``Cancel``; the latter two reference
    the alert of the raise (its identifier is derived from the signal id and ``since``).
    Severity critical/warning/info → CAP Severe/Moderate/Minor, urgency Immediate/Expected/
    Future (Past once resolved), certainty Observed.
    """
    data, verb = event.data, event.verb
    raised = _signal_identifier(data.signal_id, "raised", data.since)
    head = Head(
        identifier=_signal_identifier(data.signal_id, verb, data.observed_at),
        sender=sender,
        sent=data.observed_at,
        msg_type=_MSG_TYPES[verb],
        tlp=event.tlp,
        recipients=event.recipients,
        source=f"KCR hub, rule {data.rule}",
        references=None if verb == "raised" else reference(sender, raised, data.since),
        incidents=token(data.signal_id),
        note=f"Resolved: {data.title}" if verb == "resolved" else None,
    )
    return render(head, _signal_body(event))


def _signal_body(event: EscalationEvent) -> Body:
    data, resolved = event.data, event.verb == "resolved"
    return Body(
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


def _advice_identifier(advice_id: str) -> str:
    return token(f"kcr-advice-{advice_id}")


def advice_to_cap(event: AdvicePublished, *, sender: str = HUB_SENDER) -> bytes:
    """Return the validated advice ``event`` as a CAP 1.2 alert (UTF-8 XML bytes).

    An ``Alert`` of category Safety about the measure in the draft's region; the mapping is
    in the module docstring. ``<incidents>`` names the advice id and, if the draft has one,
    the incident id.
    """
    data, draft = event.data, event.data.draft
    head = Head(
        identifier=_advice_identifier(data.advice_id),
        sender=sender,
        sent=event.time,
        msg_type="Alert",
        tlp=event.tlp,
        recipients=event.recipients,
        source=f"KCR hub, advice validated by {data.validated_by}",
        references=None,
        incidents=" ".join(token(i) for i in (data.advice_id, draft.incident_id) if i),
        note=data.note or None,
    )
    return render(head, _advice_body(event))


def _advice_body(event: AdvicePublished) -> Body:
    data, draft, registry = event.data, event.data.draft, load_registry()
    evacuate = draft.measure == "evacuate"
    feasible = draft.verdict in ("feasible", "feasible_with_assistance")
    verdict = draft.verdict.replace("_", " ")
    return Body(
        language="en",
        category="Safety",
        event=f"KCR advice: {draft.measure}",
        response_type=("Evacuate" if evacuate else "Prepare") if feasible else "Assess",
        urgency="Expected",
        severity="Severe" if evacuate else "Moderate",
        event_codes=(("nl.kcr.measure", draft.measure), ("nl.kcr.verdict", draft.verdict)),
        onset=None,
        sender_name=f"KCR hub, validated by {registry.get(data.validated_by).name}",
        headline=f"Advice {draft.measure} in {registry.get(draft.region).name}: {verdict}",
        description=draft.explanation,
        instruction="",
        parameters=(
            ("nl.kcr.advice_id", data.advice_id),
            ("nl.kcr.event_id", event.id),
            ("nl.kcr.validated_by", data.validated_by),
            *((f"nl.kcr.parameter.{p.name}", _number(p.value)) for p in draft.parameters),
        ),
        regions=(draft.region,),
        place=None,
        location=None,
        certainty="Likely",
    )


def _number(value: float) -> str:
    """Return ``value`` without a trailing ``.0`` when it is whole (12000, not 12000.0)."""
    return str(int(value)) if value.is_integer() else repr(value)


def _incident_identifier(event_id: str) -> str:
    return token(f"kcr-{event_id}")


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
    head = Head(
        identifier=_incident_identifier(event.id),
        sender=sender,
        sent=event.time,
        msg_type=_MSG_TYPES[event.verb],
        tlp=event.tlp,
        recipients=event.recipients,
        source=event.source,
        references=None
        if change is None
        else reference(sender, _incident_identifier(reported.id), reported.time),
        incidents=token(reported.data.incident_id),
        note=change.data.reason if isinstance(change, IncidentClosed) else None,
    )
    return render(head, _incident_body(reported, change, instruction, language))


def _incident_body(
    reported: IncidentReported,
    change: IncidentUpdated | IncidentClosed | None,
    instruction: str,
    language: str,
) -> Body:
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
    return Body(
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
