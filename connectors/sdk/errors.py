"""Errors of the hub client; each carries the fields a caller needs to act on it."""

from __future__ import annotations

from hub.errors import HubError

__all__ = ["ClientNotStarted", "EventTooLarge", "NotAddressedToClient", "PublishFailed"]


class ClientNotStarted(HubError, RuntimeError):
    """The client was used outside ``async with HubClient(...)`` (or after it closed)."""

    def __init__(self, operation: str) -> None:
        """Say which ``operation`` needed a started client."""
        self.operation = operation
        super().__init__(
            f"HubClient.{operation} needs a started client.",
            fix="use it inside 'async with HubClient(settings) as client:'.",
        )


class NotAddressedToClient(HubError, ValueError):
    """A coordination request was acknowledged by an organisation it was not addressed to."""

    def __init__(self, request_id: str, org: str, recipients: tuple[str, ...]) -> None:
        """Name the request, the client's ``org`` and the request's ``recipients``."""
        self.request_id = request_id
        self.org = org
        self.recipients = recipients
        super().__init__(
            f"coordination request {request_id!r} is addressed to "
            f"{', '.join(recipients) or 'nobody'}, not to {org!r}.",
            fix="acknowledge only requests taken from this organisation's own outbox.",
        )


class PublishFailed(HubError, ConnectionError):
    """The broker did not accept an event (after the producer's own retries)."""

    def __init__(self, topic: str, event_id: str, cause: Exception) -> None:
        """Name the ``topic``, the ``event_id`` and the broker's error ``cause``."""
        self.topic = topic
        self.event_id = event_id
        self.cause = cause
        super().__init__(
            f"event {event_id!r} was not accepted by {topic}: {cause}",
            fix="check that the broker answers at the bootstrap address and the topic exists, "
            "then publish again (the gateway drops the duplicate if it did arrive).",
        )


class EventTooLarge(HubError, ValueError):
    """An event whose encoded size exceeds what the gateway admits; it would be dead-lettered."""

    def __init__(self, event_id: str, size: int, limit: int) -> None:
        self.event_id, self.size, self.limit = event_id, size, limit
        super().__init__(
            f"event {event_id} is {size} bytes encoded; the hub admits at most {limit}",
            fix="shorten its texts or split the information over several events.",
        )
