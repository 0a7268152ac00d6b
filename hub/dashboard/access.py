"""What a signed-in organisation sees and may do on the dashboard.

The page shows an organisation its own outbox ``kcr.outbox.<org>`` and nothing else: the
router already applied TLP, role and subscriptions there, so the dashboard cannot show more
than the organisation's connector receives. Validating or rejecting an advice is allowed
exactly when the organisation's role may publish ``nl.kcr.advice.validated`` or
``nl.kcr.advice.rejected`` (the national centres).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hub.contracts.organisations import OrganisationRegistry
from hub.dashboard.errors import Forbidden, NotSignedIn
from hub.topics.declaration import TopicNames

__all__ = ["ADVICE_TYPES", "AdviceAction", "Viewer", "require_action", "viewer_of"]

AdviceAction = Literal["validate", "reject"]
"""What a validator does with a draft advice."""

ADVICE_TYPES: dict[AdviceAction, str] = {
    "validate": "nl.kcr.advice.validated",
    "reject": "nl.kcr.advice.rejected",
}
"""The event type each advice action publishes."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in organisation: who it is, the one topic it sees, what it may do."""

    org: str
    name: str
    role: str
    topic: str
    may_validate: bool
    may_reject: bool

    def as_json(self) -> dict[str, object]:
        """The viewer as the page receives it (``GET /api/me``)."""
        return {
            "org": self.org, "name": self.name, "role": self.role, "topic": self.topic,
            "may_validate": self.may_validate, "may_reject": self.may_reject,
        }  # fmt: skip


def viewer_of(org: str, registry: OrganisationRegistry, names: TopicNames) -> Viewer:
    """The viewer for ``org``; :class:`NotSignedIn` for an unknown organisation or the hub."""
    if org not in registry or org == "hub":
        raise NotSignedIn(f"{org!r} is not an organisation with an outbox.")
    organisation = registry.get(org)
    return Viewer(
        org=org,
        name=organisation.name,
        role=organisation.role,
        topic=names.outbox(org),
        may_validate=registry.may_publish(org, ADVICE_TYPES["validate"]),
        may_reject=registry.may_publish(org, ADVICE_TYPES["reject"]),
    )


def require_action(viewer: Viewer, action: AdviceAction) -> str:
    """Return the event type of ``action``; :class:`Forbidden` if the viewer may not do it."""
    allowed = viewer.may_validate if action == "validate" else viewer.may_reject
    if not allowed:
        raise Forbidden(viewer.org, f"{action} advice")
    return ADVICE_TYPES[action]
