"""Errors of the CAP connector; each carries a reason code for the dead letter and the caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hub.errors import HubError

__all__ = ["REASONS", "CapRefused", "CapSchemaError", "XsdViolation"]

REASONS: Mapping[str, str] = MappingProxyType(
    {
        "xml_malformed": "the bytes are not well-formed XML",
        "schema_invalid": "the alert does not validate against the CAP 1.2 schema",
        "status_not_actual": "only status 'Actual' alerts become hub events",
        "msgtype_unsupported": "Ack and Error messages carry no incident",
        "no_info": "an Alert or Update without an <info> block says nothing about an incident",
        "language_unsupported": "no <info> block in Dutch (nl) or English (en)",
        "references_invalid": "an Update or Cancel must name its alert as sender,identifier,sent",
        "area_unmapped": "no <area> maps to a safety region and no fallback region was given",
        "area_outside_nl": "no <area> maps to a safety region and one lies wholly abroad",
        "reference_foreign": "an Update or Cancel references another sender's message",
        "area_invalid": "a <polygon> or <circle> is not 'lat,lon' pairs as CAP prescribes",
        "time_invalid": "a time is no calendar date or lies outside 0001..9999 once in UTC",
        "invalid_event": "the mapped event does not validate against the hub contract",
    }
)
"""Every reason code :class:`CapRefused` uses, with what it means."""


@dataclass(frozen=True, slots=True)
class XsdViolation:
    """One violation of an XML schema, with its place in the document."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        """Return ``line L, column C: message``."""
        return f"line {self.line}, column {self.column}: {self.message}"


class CapRefused(HubError, ValueError):
    """A CAP message cannot become a hub event; ``reason`` is one of :data:`REASONS`."""

    def __init__(
        self, reason: str, message: str, *, identifier: str | None = None, fix: str | None = None
    ) -> None:
        """Refuse for ``reason`` (a code of :data:`REASONS`), saying why in ``message``."""
        self.reason = reason
        self.identifier = identifier
        prefix = f"CAP alert {identifier!r} refused" if identifier else "CAP message refused"
        super().__init__(f"{prefix} ({reason}): {message}", fix=fix)


class CapSchemaError(CapRefused):
    """The XML does not validate against the CAP 1.2 schema; ``violations`` lists where."""

    def __init__(self, violations: Iterable[XsdViolation], *, identifier: str | None = None):
        """List every schema ``violation`` with its line and column."""
        self.violations = tuple(violations)
        listing = "; ".join(str(v) for v in self.violations)
        super().__init__(
            "schema_invalid",
            f"{len(self.violations)} CAP 1.2 schema violation(s): {listing}",
            identifier=identifier,
            fix="correct the alert so it validates against CAP-v1.2.xsd (connectors/schemas/).",
        )
