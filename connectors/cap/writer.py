"""CAP out to a folder: the outbox items that are alerts become XSD-valid CAP 1.2 files.

Escalation signals (raised, updated, resolved) go through :func:`signal_to_cap`; a validated
advice (``nl.kcr.advice.published``, at any TLP) through :func:`advice_to_cap`; a public
incident warning (an ``incident.reported``/``updated``/``closed`` with TLP CLEAR) through
:func:`incident_to_cap` (its update or close is written only when its report was seen, since
CAP references the original alert). Every file is validated against the shipped CAP 1.2
schema before it is written; the name is the alert identifier (characters other than letters,
digits, ``.``, ``_`` and ``-`` become ``_``) plus ``.xml``, so a repeat overwrites the same file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel

from connectors.cap.errors import CapSchemaError
from connectors.cap.model import CAP_NS
from connectors.cap.outbound import advice_to_cap, incident_to_cap, signal_to_cap
from connectors.cap.xmlsafe import parse_xml, schema_violations, text_of
from connectors.schemas import CAP_1_2_XSD, load_schema
from hub.contracts.events.envelope import Tlp
from hub.contracts.events.incident import IncidentClosed, IncidentReported, IncidentUpdated
from hub.contracts.outputs import AdvicePublished, EscalationEvent

__all__ = ["CapFolderWriter"]

_UNSAFE_IN_NAMES = re.compile(r"[^A-Za-z0-9._-]")


class CapFolderWriter:
    """Turns outbox items into CAP files in one folder; remembers reports for their updates."""

    def __init__(self, folder: Path) -> None:
        """Write into ``folder`` (created if missing)."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._reports: dict[str, IncidentReported] = {}

    def to_cap(self, item: BaseModel) -> bytes | None:
        """Return ``item`` as a CAP alert, or None if it is not one the hub sends as CAP."""
        if isinstance(item, EscalationEvent):
            return signal_to_cap(item)
        if isinstance(item, AdvicePublished):
            return advice_to_cap(item)
        if isinstance(item, IncidentReported) and item.tlp is Tlp.CLEAR:
            self._reports[item.data.incident_id] = item
            return incident_to_cap(item)
        if isinstance(item, IncidentUpdated | IncidentClosed) and item.tlp is Tlp.CLEAR:
            reported = self._reports.get(item.data.incident_id)
            return None if reported is None else incident_to_cap(reported, item)
        return None

    def write(self, item: BaseModel) -> Path | None:
        """Write ``item`` as a CAP file and return its path (None if it is no alert).

        Raises :class:`CapSchemaError` if the alert does not validate (a bug, never written).
        """
        xml = self.to_cap(item)
        if xml is None:
            return None
        root = parse_xml(xml)
        violations = schema_violations(root, load_schema(CAP_1_2_XSD))
        identifier = text_of(root, "identifier", CAP_NS) or "alert"
        if violations:
            raise CapSchemaError(violations, identifier=identifier)
        target = self.folder / f"{_UNSAFE_IN_NAMES.sub('_', identifier)}.xml"
        partial = target.with_name(f".{target.name}.part")
        partial.write_bytes(xml)
        os.replace(partial, target)
        return target
