"""EDXL-DE in: unwrap a distribution and map each payload it carries to hub events.

Payloads are dispatched by their root element or MIME type: a CAP 1.2 alert goes through
:func:`connectors.cap.cap_to_events`, an EDXL-RM request or commitment through
:func:`connectors.edxl.rm.rm_to_events`, and a hub event in CloudEvents JSON
(``application/cloudevents+json``) is validated as it is. Anything else, and every payload or
item that cannot be mapped, is listed in :attr:`EdxlImport.refusals` with a reason; the
others still go through. A distribution whose status is not ``Actual`` is refused whole.

:func:`import_edxl` is what ``kcr connect edxl`` and the bridge's ``/v1/edxl`` both call: an
EDXL-DE distribution as above, or a bare EDXL-RM request or commitment (no envelope).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from connectors.cap import CapRefused, cap_to_events
from connectors.cap.model import CAP_NS
from connectors.cap.xmlsafe import XmlMalformed, namespace_of, parse_xml
from connectors.edxl.envelope import CLOUDEVENTS_JSON, EdxlEnvelope, EdxlPayload, unwrap_edxl
from connectors.edxl.errors import EdxlRefused
from connectors.edxl.rm import RM_NS, rm_to_events
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry, load_registry

__all__ = ["EdxlImport", "PayloadRefusal", "edxl_to_events", "import_edxl"]


@dataclass(frozen=True, slots=True)
class PayloadRefusal:
    """Why (part of) one payload did not become an event; index None: a bare RM message."""

    index: int | None
    reason: str
    message: str

    def __str__(self) -> str:
        """Return ``payload <index>: <message> (<reason>)`` (no prefix without an index)."""
        where = "" if self.index is None else f"payload {self.index}: "
        return f"{where}{self.message} ({self.reason})"


@dataclass(frozen=True, slots=True)
class EdxlImport:
    """The events of an EDXL message, its envelope (None: bare EDXL-RM), and what was refused."""

    envelope: EdxlEnvelope | None
    events: tuple[EventEnvelope, ...]
    refusals: tuple[PayloadRefusal, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Options:
    source_org: str
    registry: OrganisationRegistry
    fallback_region: str | None


def edxl_to_events(
    xml: bytes,
    *,
    source_org: str,
    registry: OrganisationRegistry | None = None,
    fallback_region: str | None = None,
) -> EdxlImport:
    """Unwrap the EDXL-DE 1.0 or 2.0 message ``xml`` from ``source_org`` into hub events.

    ``fallback_region`` is passed to the CAP mapping (see :func:`connectors.cap.cap_to_events`).
    Raises :class:`EdxlRefused` when the envelope itself is unreadable or not ``Actual``.
    """
    message = unwrap_edxl(xml)
    if message.envelope.status != "Actual":
        raise EdxlRefused(
            "status_not_actual", f"distributionStatus is {message.envelope.status}, not Actual"
        )
    options = _Options(
        source_org, registry if registry is not None else load_registry(), fallback_region
    )
    events: list[EventEnvelope] = []
    refusals: list[PayloadRefusal] = []
    notes: list[str] = []
    for payload in message.payloads:
        mapped, refused, noted = _map(payload, options)
        events += mapped
        refusals += refused
        notes += (f"payload {payload.index}: {note}" for note in noted)
    return EdxlImport(message.envelope, tuple(events), tuple(refusals), tuple(notes))


def import_edxl(
    xml: bytes,
    *,
    source_org: str,
    registry: OrganisationRegistry | None = None,
    fallback_region: str | None = None,
) -> EdxlImport:
    """Map an EDXL-DE 1.0/2.0 distribution or a bare EDXL-RM message from ``source_org``.

    The one EDXL mapping of ``kcr connect edxl`` and ``/v1/edxl``. A bare RM message's item
    refusals have no payload index. Raises :class:`EdxlRefused` (``xml_malformed``,
    ``not_edxl``, ``envelope_invalid``, ``status_not_actual``, ``rm_unsupported``, ``rm_invalid``)
    when the message as a whole cannot be mapped.
    """
    try:
        root = parse_xml(xml)
    except XmlMalformed as exc:
        raise EdxlRefused("xml_malformed", exc.message) from None
    if not (namespace_of(root) or "").startswith(RM_NS):
        return edxl_to_events(
            xml, source_org=source_org, registry=registry, fallback_region=fallback_region
        )
    rm = rm_to_events(xml, source_org=source_org, registry=registry)
    refusals = (
        PayloadRefusal(None, error.reason, f"item {error.element_id}: {error.message}")
        for error in rm.errors
    )
    return EdxlImport(None, tuple(rm.events), tuple(refusals))


_Mapped = tuple[list[EventEnvelope], list[PayloadRefusal], tuple[str, ...]]


def _map(payload: EdxlPayload, options: _Options) -> _Mapped:
    if payload.xml is not None and payload.root == f"{{{CAP_NS}}}alert":
        return _from_cap(payload, payload.xml, options)
    if payload.xml is not None and (payload.root or "").startswith(f"{{{RM_NS}"):
        return _from_rm(payload, payload.xml, options)
    if payload.data is not None and payload.mime_type == CLOUDEVENTS_JSON:
        return _from_json(payload, payload.data, options)
    what = payload.root or payload.mime_type or "empty content"
    refusal = PayloadRefusal(payload.index, "payload_unsupported", f"no mapping for {what}")
    return [], [refusal], ()


def _from_cap(payload: EdxlPayload, xml: bytes, options: _Options) -> _Mapped:
    try:
        result = cap_to_events(
            xml,
            source_org=options.source_org,
            registry=options.registry,
            fallback_region=options.fallback_region,
        )
    except CapRefused as exc:
        return [], [PayloadRefusal(payload.index, f"cap:{exc.reason}", exc.message)], ()
    return list(result.events), [], result.notes


def _from_rm(payload: EdxlPayload, xml: bytes, options: _Options) -> _Mapped:
    try:
        result = rm_to_events(xml, source_org=options.source_org, registry=options.registry)
    except EdxlRefused as exc:
        return [], [PayloadRefusal(payload.index, exc.reason, exc.message)], ()
    refusals = [PayloadRefusal(payload.index, error.reason, str(error)) for error in result.errors]
    return list(result.events), refusals, ()


def _from_json(payload: EdxlPayload, data: bytes, options: _Options) -> _Mapped:
    try:
        event = parse_event(json.loads(data))
    except (ValueError, ValidationError) as exc:
        return [], [PayloadRefusal(payload.index, "invalid_event", str(exc))], ()
    if event.source != options.source_org:
        message = f"event source {event.source!r} is not the sender {options.source_org!r}"
        return [], [PayloadRefusal(payload.index, "source_mismatch", message)], ()
    return [event], [], ()
