"""CAP 1.2 in: one alert becomes one incident event, or a refusal with a reason code.

Mapping (tables in ``data/cap_mapping.json``):

- msgType ``Alert`` → ``incident.reported``, ``Update`` → ``incident.updated``, ``Cancel`` →
  ``incident.closed``; ``Ack``/``Error`` are refused (``msgtype_unsupported``), and so is every
  status but ``Actual`` (``status_not_actual``): exercises and tests never enter the log.
- Ids are deterministic, so importing the same message again yields the same event id and the
  gateway drops the duplicate. Event id: a UUID 5 of source organisation, CAP sender,
  identifier and sent time. Incident id: ``<source_org>:cap-<sender>-<local>``, namespaced by
  the importing organisation (see :mod:`hub.contracts.ownership`: only it can update or cancel
  the incident) and by the CAP sender (two senders of one feed using the same local number get
  two incidents). ``<local>`` is the single token of ``<incidents>`` if the sender names one;
  else the identifier of the message itself (Alert) or of the first entry of ``<references>``
  (Update, Cancel), which is the original alert; so an alert whose ``<incidents>`` names the
  first alert's identifier joins that alert's incident. An Update or Cancel may reference only
  its own sender's messages (else ``reference_foreign``), so it resolves in its own namespace
  and cannot reach another sender's incident: one without an area from a foreign sender names
  an incident that sender never created (its alerts abroad were refused), which the gateway
  admits and the projection ignores. The hub's own CAP (sender ``kcr-hub``) names hub-wide
  ids: kept as they are (the gateway still refuses an id another organisation owns).
  ``causationid`` of an Update or Cancel is the event id of the last referenced message.
- Info block: the first in Dutch or English (``nl*``/``en*``; CAP's default is ``en-US``).
- Category: a hub category named in eventCode ``nl.kcr.category``; else the CAP category,
  which is authoritative: the first keyword of the table found at a word start of the event or
  headline refines it only to a hub category within it (``Met`` with "overstroming" is
  ``flood``; a ``Fire`` alert that mentions 112 stays ``fire``), and chooses freely only for
  ``Other``; else the CAP category table; ``other`` comes with a note.
- Severity: CAP severity; ``Unknown`` is derived from urgency; certainty ``Unlikely`` lowers
  it one step.
- GRIP (CAP has none): the ``grip_level`` argument, else a CAP parameter ``GRIP``, else (for
  an Alert only) the table by severity: minor 0, moderate 1, severe 2, extreme 3. An Update
  changes GRIP only when it is given explicitly.
- Regions: see :mod:`connectors.cap.area` (real boundaries, provinces). If no area maps and
  an area's geometry lies wholly outside the Netherlands, the message is refused with
  ``area_outside_nl``, fallback region or not. Else if no area maps, an Alert is refused with
  ``area_unmapped`` unless ``fallback_region`` is given (say, by a region's own CAP feed whose
  alerts are all local), and so is an Update whose areas all lie elsewhere; an Update without
  any ``<area>`` leaves the regions unchanged, with a note. We do not default to the sender's
  region: a foreign alert must not become a Dutch incident.
- TLP: the ``tlp`` argument, else a label ``TLP:AMBER`` (etc.) in ``<restriction>``, else by
  scope: Public CLEAR, Restricted AMBER, Private AMBER_STRICT. Addresses that are hub
  organisation ids become ``recipients``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from connectors.cap.area import AreaMatch, match_areas
from connectors.cap.errors import CapRefused, CapSchemaError
from connectors.cap.geometry import AlertGeometry, alert_geometry
from connectors.cap.ids import cap_event_id, incident_id_of
from connectors.cap.model import CAP_NS, CapAlert, CapArea, CapInfo, CapRef, read_alert
from connectors.cap.tables import CapTables, load_tables
from connectors.cap.xmlsafe import Element, XmlMalformed, namespace_of, parse_xml, schema_violations
from connectors.schemas import CAP_1_2_XSD, load_schema
from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import (
    IncidentClosed,
    IncidentReported,
    IncidentUpdated,
    Severity,
)
from hub.contracts.organisations import OrganisationRegistry, load_registry
from hub.contracts.reference import load_reference

__all__ = ["CapImport", "IncidentEvent", "cap_event_id", "cap_to_events"]

IncidentEvent = IncidentReported | IncidentUpdated | IncidentClosed
"""The events a CAP message maps to."""

_E = TypeVar("_E", IncidentReported, IncidentUpdated, IncidentClosed)

_SEVERITY_ORDER = (Severity.MINOR, Severity.MODERATE, Severity.SEVERE, Severity.EXTREME)
_LANGUAGES = ("nl", "en")
_TLP_IN_RESTRICTION = re.compile(r"\bTLP:(CLEAR|GREEN|AMBER\+STRICT|AMBER|RED)\b", re.IGNORECASE)
_TITLE_MAX, _TEXT_MAX = 200, 10_000


@dataclass(frozen=True, slots=True)
class CapImport:
    """The hub event one CAP message maps to, and notes on mapping choices made."""

    event: IncidentEvent
    notes: tuple[str, ...] = ()

    @property
    def events(self) -> tuple[IncidentEvent, ...]:
        """The events to publish (always one), for callers that treat connectors alike."""
        return (self.event,)


@dataclass(slots=True)
class _Context:
    source_org: str
    registry: OrganisationRegistry
    tables: CapTables
    grip_level: str | None
    fallback_region: str | None
    tlp: Tlp | None
    notes: list[str] = field(default_factory=list)


def cap_to_events(
    xml: bytes,
    *,
    source_org: str,
    registry: OrganisationRegistry | None = None,
    grip_level: str | None = None,
    fallback_region: str | None = None,
    tlp: Tlp | None = None,
) -> CapImport:
    """Map the CAP 1.2 message ``xml``, received from ``source_org``, to a hub event.

    ``grip_level`` sets the GRIP level instead of the defaults; ``fallback_region`` is used when
    no area maps to a region; ``tlp`` overrides the TLP derived from the CAP scope. Raises
    :class:`CapSchemaError` (with line numbers) when the XML does not validate against CAP 1.2,
    and :class:`CapRefused` with a reason code (see ``connectors.cap.errors.REASONS``) when it
    cannot become an event.
    """
    registry = registry if registry is not None else load_registry()
    registry.get(source_org)
    alert = read_alert(_validated_root(xml))
    ctx = _Context(source_org, registry, load_tables(), grip_level, fallback_region, tlp)
    _check_alert(alert)
    if alert.msg_type == "Cancel":
        event: IncidentEvent = _closed(alert, ctx)
    else:
        info = _pick_info(alert, ctx)
        event = (
            _reported(alert, info, ctx) if alert.msg_type == "Alert" else _updated(alert, info, ctx)
        )
    return CapImport(event=event, notes=tuple(ctx.notes))


def _validated_root(xml: bytes) -> Element:
    try:
        root = parse_xml(xml)
    except XmlMalformed as exc:
        raise CapRefused("xml_malformed", exc.message) from None
    violations = schema_violations(root, load_schema(CAP_1_2_XSD))
    if violations:
        identifier = (
            root.findtext(f"{{{CAP_NS}}}identifier") if namespace_of(root) == CAP_NS else None
        )
        raise CapSchemaError(violations, identifier=identifier)
    return root


def _check_alert(alert: CapAlert) -> None:
    ident = alert.identifier
    if alert.status != "Actual":
        raise CapRefused(
            "status_not_actual", f"status is {alert.status}, not Actual", identifier=ident
        )
    if alert.msg_type not in ("Alert", "Update", "Cancel"):
        raise CapRefused(
            "msgtype_unsupported", f"msgType {alert.msg_type} carries no incident", identifier=ident
        )
    if alert.msg_type != "Alert" and not alert.references and len(alert.incidents) != 1:
        raise CapRefused(
            "references_invalid",
            f"a {alert.msg_type} needs <references> (or one <incidents> id) to find its incident",
            identifier=ident,
            fix="add <references>sender,identifier,sent</references> of the original alert.",
        )
    foreign = sorted({ref.sender for ref in alert.references if ref.sender != alert.sender})
    if foreign and alert.msg_type != "Alert":
        raise CapRefused(
            "reference_foreign",
            f"the {alert.msg_type} from {alert.sender} references messages of "
            f"{', '.join(foreign)}; a sender may update or cancel only its own alerts",
            identifier=ident,
            fix=f"let {foreign[0]} send the {alert.msg_type}, or send a new Alert of your own.",
        )


def _pick_info(alert: CapAlert, ctx: _Context) -> CapInfo:
    if not alert.infos:
        raise CapRefused(
            "no_info", f"a {alert.msg_type} needs an <info> block", identifier=alert.identifier
        )
    for number, info in enumerate(alert.infos, start=1):
        if info.language.lower().split("-")[0] in _LANGUAGES:
            if len(alert.infos) > 1:
                ctx.notes.append(
                    f"used info block {number} of {len(alert.infos)} (language {info.language})"
                )
            return info
    languages = ", ".join(info.language for info in alert.infos)
    raise CapRefused(
        "language_unsupported",
        f"info blocks are in {languages}; the hub reads nl or en",
        identifier=alert.identifier,
        fix="add an <info> block with <language>nl-NL</language> or en-US.",
    )


def _envelope(alert: CapAlert, ctx: _Context, incident_id: str) -> dict[str, Any]:
    tables = ctx.tables
    last: CapRef | None = alert.references[-1] if alert.references else None
    recipients = tuple(dict.fromkeys(a for a in alert.addresses if a in ctx.registry))
    return {
        "id": cap_event_id(ctx.source_org, alert.sender, alert.identifier, alert.sent),
        "source": ctx.source_org,
        "subject": incident_id,
        "time": alert.sent,
        "tlp": ctx.tlp or _tlp_of(alert, tables),
        "recipients": recipients,
        "causationid": (
            cap_event_id(ctx.source_org, last.sender, last.identifier, last.sent) if last else None
        ),
    }


def _tlp_of(alert: CapAlert, tables: CapTables) -> Tlp:
    found = _TLP_IN_RESTRICTION.search(alert.restriction or "")
    if found:
        return Tlp(found.group(1).upper().replace("+", "_"))
    return tables.tlp_by_scope[alert.scope]


def _category(info: CapInfo, ctx: _Context) -> str:
    tables = ctx.tables
    named = [v for n, v in info.event_codes if n == tables.event_code_name]
    if named and named[0] in load_reference().category_codes():
        return named[0]
    allowed = _refinements(info.categories, tables)
    text = f"{info.event} {info.headline or ''}".casefold()
    for keyword, code in tables.event_keywords:
        if code in allowed and re.search(rf"\b{re.escape(keyword)}", text):
            return code
    mapped = (tables.categories[category] for category in info.categories)
    code = next((code for code in mapped if code != "other"), "other")
    if code == "other":
        ctx.notes.append(
            f"CAP category {'/'.join(info.categories)} with event {info.event!r} has no hub "
            "category; mapped to 'other'"
        )
    return code


def _refinements(categories: tuple[str, ...], tables: CapTables) -> frozenset[str]:
    """Return the hub categories a keyword may choose: those within the CAP categories given.

    The CAP category is authoritative: a keyword refines it (``Met`` and "overstroming" is a
    flood, still ``Met``) but never leaves it (a ``Fire`` alert that mentions 112 stays a fire).
    Only ``Other`` or no category at all lets a keyword choose any hub category.
    """
    if not categories or "Other" in categories:
        return frozenset(tables.cap_categories)
    return frozenset(code for code, cap in tables.cap_categories.items() if cap in categories)


def _severity(info: CapInfo, tables: CapTables) -> Severity:
    severity = tables.severities.get(info.severity) or tables.severity_by_urgency[info.urgency]
    if info.certainty in tables.certainties_lowering_severity:
        severity = _SEVERITY_ORDER[max(0, _SEVERITY_ORDER.index(severity) - 1)]
    return severity


def _explicit_grip(info: CapInfo, ctx: _Context) -> str | None:
    if ctx.grip_level is not None:
        return ctx.grip_level
    name = ctx.tables.grip_parameter_name.casefold()
    given = [v.strip() for n, v in info.parameters if n.strip().casefold() == name]
    if given and given[0] in load_reference().grip_codes():
        return given[0]
    if given:
        ctx.notes.append(f"CAP parameter GRIP {given[0]!r} is not a GRIP level; ignored")
    return None


def _areas(alert: CapAlert, info: CapInfo, ctx: _Context) -> AreaMatch:
    match = match_areas(info.areas, ctx.registry, ctx.tables)
    if match.regions:
        return match
    if match.outside:
        raise _abroad(alert, match)
    if ctx.fallback_region is None:
        return match
    ctx.notes.append(f"no area maps to a safety region; used fallback region {ctx.fallback_region}")
    return AreaMatch((ctx.fallback_region,), match.place, match.point)


def _abroad(alert: CapAlert, match: AreaMatch) -> CapRefused:
    return CapRefused(
        "area_outside_nl",
        f"the geometry of {'; '.join(match.outside)} lies wholly outside the Netherlands",
        identifier=alert.identifier,
        fix="send only alerts for areas in the Netherlands; a region geocode (valueName "
        "nl.kcr.region, value vr19) names the region when the geometry is imprecise.",
    )


def _unmapped(alert: CapAlert, info: CapInfo) -> CapRefused:
    described = "; ".join(a.description for a in info.areas) or "no <area>"
    return CapRefused(
        "area_unmapped",
        f"no safety region found for {described}",
        identifier=alert.identifier,
        fix="name the region in a geocode (valueName nl.kcr.region, value vr19), a province, "
        "give Dutch coordinates, or import with a fallback region.",
    )


def _location(match: AreaMatch, areas: Sequence[CapArea]) -> dict[str, Any] | None:
    shapes = alert_geometry(areas)
    if match.place is None and match.point is None and shapes == AlertGeometry():
        return None
    return {"place": match.place, "point": match.point} | shapes.as_location_fields()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(*parts: str | None) -> str:
    return _clip("\n\n".join(p for p in parts if p), _TEXT_MAX)


def _reported(alert: CapAlert, info: CapInfo, ctx: _Context) -> IncidentReported:
    match = _areas(alert, info, ctx)
    if not match.regions:
        raise _unmapped(alert, info)
    incident_id = incident_id_of(alert, ctx.source_org)
    severity = _severity(info, ctx.tables)
    data = {
        "incident_id": incident_id,
        "category": _category(info, ctx),
        "title": _clip(info.headline or info.event, _TITLE_MAX),
        "description": _text(info.description, info.instruction),
        "regions": match.regions,
        "location": _location(match, info.areas),
        "grip_level": _explicit_grip(info, ctx) or ctx.tables.grip_by_severity[severity],
        "severity": severity,
        "started_at": info.onset or info.effective or alert.sent,
    }
    return _build(IncidentReported, alert, _envelope(alert, ctx, incident_id) | {"data": data})


def _updated(alert: CapAlert, info: CapInfo, ctx: _Context) -> IncidentUpdated:
    match = _areas(alert, info, ctx)
    if info.areas and not match.regions:
        raise _unmapped(alert, info)
    if not info.areas:
        ctx.notes.append("the update names no area; the regions stay unchanged")
    tables = ctx.tables
    statuses = [tables.update_status_by_response_type.get(r) for r in info.response_types]
    incident_id = incident_id_of(alert, ctx.source_org)
    data = {
        "incident_id": incident_id,
        "status": next((s for s in statuses if s), tables.update_status_default),
        "grip_level": _explicit_grip(info, ctx),
        "severity": _severity(info, tables),
        "regions": match.regions or None,
        "note": _text(info.headline, info.description, info.instruction),
    }
    return _build(IncidentUpdated, alert, _envelope(alert, ctx, incident_id) | {"data": data})


def _closed(alert: CapAlert, ctx: _Context) -> IncidentClosed:
    info = alert.infos[0] if alert.infos else None
    reason = alert.note or (info.description or info.headline if info else None)
    incident_id = incident_id_of(alert, ctx.source_org)
    data = {
        "incident_id": incident_id,
        "reason": _clip(reason or f"Cancelled by CAP message {alert.identifier}", _TEXT_MAX),
        "closed_at": alert.sent,
    }
    return _build(IncidentClosed, alert, _envelope(alert, ctx, incident_id) | {"data": data})


def _build(model: type[_E], alert: CapAlert, fields: dict[str, Any]) -> _E:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise CapRefused(
            "invalid_event",
            f"the mapped {model.declared_type()} is invalid: {problems}",
            identifier=alert.identifier,
        ) from None
