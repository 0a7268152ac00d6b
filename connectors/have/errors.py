"""Errors of the EDXL-HAVE connector; each carries a reason code for the caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hub.errors import HubError

__all__ = ["REASONS", "HaveRefused", "HaveSchemaError", "Violation"]

REASONS: Mapping[str, str] = MappingProxyType(
    {
        "xml_malformed": "the bytes are not well-formed XML",
        "not_have": "the root is not an EDXL-HAVE 2.0 (or 1.0) hospital status document",
        "schema_invalid": "the document breaks the EDXL-HAVE structure (fields listed)",
        "no_capacity": "no facility reports a bed type the hub counts",
        "invalid_event": "a mapped capacity report does not validate against the hub contract",
    }
)
"""Every reason code :class:`HaveRefused` uses, with what it means."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One structural problem: the field (``facility[2].bedCapacity[1].availableCount``) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        """Return ``field: message``."""
        return f"{self.field}: {self.message}"


class HaveRefused(HubError, ValueError):
    """A HAVE document cannot become capacity reports; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, message: str, *, fix: str | None = None) -> None:
        """Refuse for ``reason`` (a code of :data:`REASONS`), saying why in ``message``."""
        self.reason = reason
        super().__init__(f"EDXL-HAVE document refused ({reason}): {message}", fix=fix)


class HaveSchemaError(HaveRefused):
    """The document breaks the EDXL-HAVE structure; ``violations`` names every field."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        """List every structural ``violation`` by field."""
        self.violations = tuple(violations)
        listing = "; ".join(str(v) for v in self.violations)
        super().__init__(
            "schema_invalid",
            f"{len(self.violations)} EDXL-HAVE structure violation(s): {listing}",
            fix="give every facility an id and every bed capacity a bed type and whole counts "
            "(see the README section 'Hospital availability (EDXL-HAVE)').",
        )
