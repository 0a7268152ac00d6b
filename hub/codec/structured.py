"""CloudEvents structured-mode JSON (the CLI's and SDK's input) to validated hub events.

Shared by ``kcr publish``, the SDK (:class:`connectors.sdk.HubClient`) and the connectors, so a
document is judged the same way wherever it enters: a missing id, time or source is filled in,
the payload is validated against the event catalogue, and the source must be the publisher.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from hub.codec.serde import describe_validation_error
from hub.contracts.events.catalogue import parse_event
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import ConfigurationError

__all__ = ["SourceMismatch", "check_source", "complete", "to_events"]


class SourceMismatch(ConfigurationError):
    """An event's ``source`` is not the organisation that publishes it."""

    def __init__(self, where: str, source: str, org: str, publisher: str) -> None:
        """Say that ``where``.source is ``source`` while ``publisher`` (``org``) publishes."""
        self.source = source
        self.org = org
        super().__init__(
            f"{where}.source",
            f"is {source!r} but {publisher} is {org!r}; the gateway would dead-letter it",
            fix=f"publish as {source}, or set source to {org!r}.",
        )


def complete(document: dict[str, Any], org: str) -> dict[str, Any]:
    """Return ``document`` with a new UUID id, the time now and ``org`` as source if absent."""
    filled = {"id": str(uuid.uuid4()), "time": datetime.now(UTC).isoformat(), "source": org}
    return {**filled, **document}


def check_source(event: EventEnvelope, org: str, where: str = "event", publisher: str = "") -> None:
    """Raise :class:`SourceMismatch` unless ``event`` comes from ``org``."""
    if event.source != org:
        raise SourceMismatch(where, event.source, org, publisher or "the publisher")


def to_events(payload: Any, org: str, *, publisher: str = "--org") -> list[EventEnvelope]:
    """Validate one CloudEvents document or a list of them; fill id, time and source if absent.

    Raises :class:`ConfigurationError` naming the event and field (``event 2.data.quantity``)
    and :class:`SourceMismatch` when a source is not ``org``; ``publisher`` names where ``org``
    came from in that message (``--org``, ``the client's org``).
    """
    documents = payload if isinstance(payload, list) else [payload]
    events = []
    for index, document in enumerate(documents):
        where = f"event {index}" if isinstance(payload, list) else "event"
        if not isinstance(document, dict):
            raise ConfigurationError(where, "must be a JSON object (CloudEvents structured mode)")
        try:
            event = parse_event(complete(document, org))
        except ValidationError as error:
            raise ConfigurationError(where, describe_validation_error(error)) from error
        check_source(event, org, where, publisher)
        events.append(event)
    return events
