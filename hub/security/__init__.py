"""Broker security: SCRAM users and their credentials, ACLs derived from the registry."""

from __future__ import annotations

from hub.security.acls import AclPlan, AclRule, derive_acls, is_managed, plan_acls
from hub.security.credentials import (
    ADMIN,
    SERVICE_USERS,
    Credentials,
    ensure_credentials,
    hub_users,
    read_credentials,
)
from hub.security.errors import AclError, CredentialsError

__all__ = [
    "ADMIN",
    "SERVICE_USERS",
    "AclError",
    "AclPlan",
    "AclRule",
    "Credentials",
    "CredentialsError",
    "derive_acls",
    "ensure_credentials",
    "hub_users",
    "is_managed",
    "plan_acls",
    "read_credentials",
]
