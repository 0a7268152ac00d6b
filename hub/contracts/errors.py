"""Errors of the contracts layer; each carries the value that was wrong as a field."""

from __future__ import annotations

from collections.abc import Iterable

from hub.errors import HubError

__all__ = [
    "InvalidEvent",
    "MissingCentre",
    "RegistryError",
    "UnknownEventType",
    "UnknownOrganisation",
    "UnknownReferenceCode",
    "UnknownRole",
]

ORGANISATIONS_FILE = "hub/contracts/data/organisations.json"


def _listing(values: Iterable[str]) -> str:
    return ", ".join(values)


class UnknownOrganisation(HubError, LookupError):
    """An organisation id is not in the organisation registry."""

    def __init__(self, org_id: str, known: Iterable[str]) -> None:
        """Name the unknown ``org_id`` and list the ``known`` ids."""
        self.org_id = org_id
        self.known = tuple(known)
        super().__init__(
            f"Unknown organisation {org_id!r}; known organisations: {_listing(self.known)}.",
            fix=(
                f"use an id from {ORGANISATIONS_FILE}; "
                "`hub.contracts.organisations.load_registry().ids()` lists them."
            ),
        )


class UnknownRole(HubError, LookupError):
    """A role name is not defined in the role table."""

    def __init__(self, role: str, known: Iterable[str]) -> None:
        """Name the unknown ``role`` and list the ``known`` roles."""
        self.role = role
        self.known = tuple(known)
        super().__init__(
            f"Unknown role {role!r}; known roles: {_listing(self.known)}.",
            fix="use a role defined in hub/contracts/data/roles.json.",
        )


class MissingCentre(HubError, ValueError):
    """A distance was asked for an organisation that has no centre point."""

    def __init__(self, org_id: str) -> None:
        """Name the organisation ``org_id`` that has no centre point."""
        self.org_id = org_id
        super().__init__(
            f"Organisation {org_id!r} has no centre point, so no distance can be computed.",
            fix=f"give it a 'centre' in {ORGANISATIONS_FILE}, or ask for regions only.",
        )


class RegistryError(HubError, ValueError):
    """The packaged organisation or role data is inconsistent."""

    def __init__(self, problems: Iterable[str]) -> None:
        """List every ``problem`` found in the registry data."""
        self.problems = tuple(problems)
        super().__init__(
            f"The organisation registry is inconsistent: {'; '.join(self.problems)}.",
            fix=f"correct {ORGANISATIONS_FILE} or hub/contracts/data/roles.json.",
        )


class UnknownReferenceCode(HubError, LookupError):
    """A code is not in a table of the reference data (GRIP levels, resource types, ...)."""

    def __init__(self, table: str, code: str, allowed: Iterable[str]) -> None:
        """Name the ``table``, the unknown ``code`` and the ``allowed`` codes."""
        self.table = table
        self.code = code
        self.allowed = tuple(allowed)
        super().__init__(
            f"Unknown {table} {code!r}; allowed: {_listing(self.allowed)}.",
            fix="use one of the allowed codes (hub/contracts/data/reference.json).",
        )


class UnknownEventType(HubError, LookupError, ValueError):
    """An event type is not in the event catalogue.

    It is a ``ValueError`` too, so callers that reject bad input with ``except ValueError``
    (as they do for pydantic's ``ValidationError``) also reject unknown types.
    """

    def __init__(self, event_type: object, known: Iterable[str]) -> None:
        """Name the unknown ``event_type`` and list the ``known`` types."""
        self.event_type = event_type
        self.known = tuple(known)
        super().__init__(
            f"Unknown event type {event_type!r}; known types: {_listing(self.known)}.",
            fix="set 'type' to one of the known types (see examples/events/).",
        )


class InvalidEvent(HubError, ValueError):
    """A CloudEvents document is malformed before its fields can be validated."""

    def __init__(self, attribute: str, message: str) -> None:
        """Say which ``attribute`` is wrong and why (``message``)."""
        self.attribute = attribute
        super().__init__(f"{attribute}: {message}")
