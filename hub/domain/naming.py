"""Names for the texts of signals and drafts, read from the registry and reference data given.

The rules and workflows write organisations, GRIP levels, categories and resource types by
name (``Zeeland``, ``GRIP 4``). They take the names from the organisation registry and the
reference data the projection was given (:class:`~hub.domain.hub.HubProjection`), never from
the packaged ones, so a projection built with other data names things by that data.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.reference import ReferenceData

__all__ = ["grip_name", "org_name", "org_names"]


def org_name(organisations: OrganisationRegistry, org_id: str) -> str:
    """Return the name of an organisation, e.g. 'Zeeland' for vr19 (the id if unknown)."""
    return organisations.get(org_id).name if org_id in organisations else org_id


def org_names(organisations: OrganisationRegistry, org_ids: Iterable[str]) -> str:
    """Return the names of organisations, comma-separated, in the given order."""
    return ", ".join(org_name(organisations, org_id) for org_id in org_ids)


def grip_name(reference: ReferenceData, code: str) -> str:
    """Return the short name of a GRIP level, e.g. 'GRIP 4' or 'GRIP Rijk'."""
    return reference.grip_level(code).label.split(":", 1)[0]
