"""Ids of CAP imports: deterministic event ids, and incident ids namespaced by org and sender.

See :mod:`connectors.cap.inbound` for the rules; they live here so the mapping stays small.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, uuid5

from connectors.cap.model import CapAlert
from connectors.cap.outbound import HUB_SENDER
from hub.contracts.ownership import qualified_id

__all__ = ["cap_event_id", "incident_id_of"]

_ID_MAX = 200


def cap_event_id(source_org: str, sender: str, identifier: str, sent: datetime) -> str:
    """Return the deterministic hub event id of CAP message (sender, identifier, sent)."""
    instant = sent.astimezone(UTC).isoformat()
    return str(uuid5(NAMESPACE_URL, f"urn:kcr:cap:{source_org}:{sender}:{identifier}:{instant}"))


def incident_id_of(alert: CapAlert, source_org: str) -> str:
    """Return the incident id, in the namespace of the importing organisation and CAP sender.

    ``<source_org>:cap-<sender>-<local>``; ``<local>`` is the single ``<incidents>`` token, else
    the identifier of the alert (Alert) or of its first reference (Update, Cancel). References
    must be the sender's own (the importer checks that first), so an Update or Cancel resolves
    in the namespace of the alert it follows and reaches no other sender's incident. The hub's
    own CAP (sender ``kcr-hub``) names hub-wide ids: kept as they are.
    """
    origin = alert.references[0] if alert.msg_type != "Alert" and alert.references else alert
    local = alert.incidents[0] if len(alert.incidents) == 1 else origin.identifier
    if alert.sender == HUB_SENDER:
        return _bounded_id(None, local)
    return _bounded_id(source_org, f"cap-{alert.sender}-{local}")


def _bounded_id(namespace: str | None, text: str) -> str:
    clean = re.sub(r"\s+", "_", text.strip())
    qualify = (lambda i: i) if namespace is None else (lambda i: qualified_id(namespace, i))
    if len(qualify(clean)) <= _ID_MAX:
        return qualify(clean)
    return qualify("cap-" + hashlib.sha256(clean.encode()).hexdigest())
