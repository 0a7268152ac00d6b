"""Errors of the EDXL connector; each carries a reason code for the dead letter and the caller."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hub.errors import HubError

__all__ = ["REASONS", "EdxlRefused"]

REASONS: Mapping[str, str] = MappingProxyType(
    {
        "xml_malformed": "the bytes are not well-formed XML",
        "not_edxl": "the root is not an EDXL-DE 1.0 or 2.0 distribution",
        "envelope_invalid": "a required envelope element is missing or malformed",
        "status_not_actual": "only distributionStatus 'Actual' becomes hub events",
        "rm_unsupported": "the EDXL-RM message type is not RequestResource or CommitResource",
        "rm_invalid": "a required EDXL-RM element is missing or malformed",
        "payload_unsupported": "a payload is neither CAP, EDXL-RM nor hub CloudEvents JSON",
        "source_mismatch": "an embedded hub event names another source than the sender",
        "invalid_event": "an embedded hub event does not validate against the contract",
        "resource_type_unmapped": "an RM resource names no known hub resource type",
        "quantity_invalid": "an RM quantity is not a whole number above zero",
        "deadline_missing": "an RM request has no RequestedArrival time",
        "schedule_invalid": "an RM schedule time is malformed",
        "location_invalid": "an RM location has malformed coordinates",
        "region_unmapped": "an RM request maps to no safety region",
        "declined": "an RM commitment declines the request",
    }
)
"""Every reason code of the EDXL connector (refusals and per-payload or per-item errors)."""


class EdxlRefused(HubError, ValueError):
    """An EDXL message cannot be read; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, message: str, *, fix: str | None = None) -> None:
        """Refuse for ``reason`` (a code of :data:`REASONS`), saying why in ``message``."""
        self.reason = reason
        super().__init__(f"EDXL message refused ({reason}): {message}", fix=fix)
