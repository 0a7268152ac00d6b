"""The dashboard's errors: each carries the HTTP status it answers with."""

from __future__ import annotations

from hub.errors import HubError

__all__ = ["DashboardError", "DashboardPortInUse", "Forbidden", "NotSignedIn", "Unavailable"]


class DashboardError(HubError):
    """A request the dashboard refuses; ``status`` is its HTTP status code."""

    status = 400

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)


class NotSignedIn(DashboardError, PermissionError):
    """No valid session cookie (or a wrong API key at sign-in)."""

    status = 401


class Forbidden(DashboardError, PermissionError):
    """The signed-in organisation may not do this (its role does not allow it)."""

    status = 403

    def __init__(self, org: str, action: str) -> None:
        self.org, self.action = org, action
        super().__init__(f"{org} may not {action}.", fix="sign in as an organisation allowed to.")


class Unavailable(DashboardError, ConnectionError):
    """Kafka or the schema registry did not take the event; sending it again is safe."""

    status = 503


class DashboardPortInUse(HubError, OSError):
    """The dashboard's port is taken."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host, self.port = host, port
        super().__init__(
            f"The dashboard cannot listen on {host}:{port}: {reason}.",
            fix="stop what uses the port, or set KCR_DASHBOARD_PORT to a free one.",
        )
