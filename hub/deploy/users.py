"""Who logs in to the deployed cluster and with which ACLs, from the organisation registry."""

from __future__ import annotations

from dataclasses import dataclass

from hub.contracts.organisations import OrganisationRegistry
from hub.security.acls import AclRule, derive_acls
from hub.security.credentials import ADMIN, hub_users
from hub.topics.declaration import TopicNames

__all__ = ["DeployedUser", "deployed_users"]


@dataclass(frozen=True)
class DeployedUser:
    """One SCRAM-SHA-512 user; ``admin`` is the super user and holds no ACL."""

    name: str
    acls: frozenset[AclRule]

    @property
    def is_super_user(self) -> bool:
        """Whether the broker lets this user do everything (``super.users``)."""
        return self.name == ADMIN


def deployed_users(registry: OrganisationRegistry, names: TopicNames) -> list[DeployedUser]:
    """Every user of :func:`~hub.security.credentials.hub_users` with its derived ACLs."""
    rules = derive_acls(registry, names)
    return [
        DeployedUser(user, frozenset(r for r in rules if r.principal == f"User:{user}"))
        for user in hub_users(registry)
    ]
