"""Errors of the broker security layer: credentials and ACLs."""

from __future__ import annotations

from pathlib import Path

from hub.errors import HubError

__all__ = ["AclError", "CredentialsError"]


class CredentialsError(HubError, ValueError):
    """The credentials file is missing, unreadable, or lacks a user."""

    def __init__(self, path: Path | None, message: str, *, fix: str) -> None:
        self.path = path
        super().__init__(message, fix=fix)


class AclError(HubError, RuntimeError):
    """The broker refused to list, create or delete ACLs."""

    def __init__(self, action: str, detail: str) -> None:
        self.action = action
        self.detail = detail
        super().__init__(
            f"Could not {action} ACLs: {detail}.",
            fix="check that the broker runs with --secure and that the admin credentials "
            "(KCR_CREDENTIALS_FILE or KCR_SASL_USERNAME=admin) are right.",
        )
