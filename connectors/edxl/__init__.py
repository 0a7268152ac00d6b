"""OASIS EDXL: Distribution Element envelopes (1.0 and 2.0 in, 2.0 out) and Resource Messaging.

- :func:`unwrap_edxl` reads an EDXL-DE envelope into :class:`EdxlEnvelope` metadata and
  :class:`EdxlPayload` payloads; :func:`wrap_edxl` wraps a hub event (and, say, its CAP form)
  into an EDXL-DE 2.0 distribution.
- :func:`edxl_to_events` maps every payload of a distribution to hub events (CAP alerts,
  EDXL-RM requests and commitments, hub CloudEvents JSON), listing what it refused;
  :func:`import_edxl` takes a distribution or a bare EDXL-RM message (``kcr connect edxl``
  and the bridge's ``/v1/edxl`` both use it).
- :func:`rm_to_events` maps EDXL-RM ``RequestResource`` to ``assistance.requested`` and
  ``CommitResource`` to ``assistance.offered``.
"""

from connectors.edxl.envelope import (
    CLOUDEVENTS_JSON,
    DE_1_0_NS,
    DE_2_0_NS,
    EdxlEnvelope,
    EdxlMessage,
    EdxlPayload,
    unwrap_edxl,
    wrap_edxl,
)
from connectors.edxl.errors import REASONS, EdxlRefused
from connectors.edxl.importer import EdxlImport, PayloadRefusal, edxl_to_events, import_edxl
from connectors.edxl.rm import (
    RM_NS,
    AssistanceEvent,
    RmImport,
    RmItemError,
    resource_type_for,
    rm_to_events,
)

__all__ = [
    "CLOUDEVENTS_JSON",
    "DE_1_0_NS",
    "DE_2_0_NS",
    "REASONS",
    "RM_NS",
    "AssistanceEvent",
    "EdxlEnvelope",
    "EdxlImport",
    "EdxlMessage",
    "EdxlPayload",
    "EdxlRefused",
    "PayloadRefusal",
    "RmImport",
    "RmItemError",
    "edxl_to_events",
    "import_edxl",
    "resource_type_for",
    "rm_to_events",
    "unwrap_edxl",
    "wrap_edxl",
]
