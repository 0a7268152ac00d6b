"""Reason codes of dead-letter records: stable strings partners and operators can rely on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ValidationError

from hub.contracts.fields import CONTROL_CHARACTER
from hub.errors import CodecError

__all__ = ["RejectReason", "reason_of"]


class RejectReason(StrEnum):
    """Why the gateway refused an ingress record (the ``kcr_reason`` header)."""

    UNDECODABLE = "undecodable"
    """The bytes are not the Confluent wire format, or the Avro body cannot be read."""
    UNKNOWN_SCHEMA_ID = "unknown_schema_id"
    """The schema id in the record is not known to the schema registry."""
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    """The schema is registered but describes no event type of the hub's catalogue."""
    INVALID_PAYLOAD = "invalid_payload"
    """The event decodes but a field is invalid (the detail names the field)."""
    CONTROL_CHARACTER = "control_character"
    """An id, subject or source holds NUL, another C0 control character or DEL (the detail
    names the field and the character)."""
    SOURCE_MISMATCH = "source_mismatch"
    """The event's source is not the organisation that owns the ingress topic."""
    TYPE_NOT_ALLOWED = "type_not_allowed"
    """The organisation's role may not publish this event type."""
    NOT_OWNER = "not_owner"
    """The event creates, changes, closes or withdraws an aggregate another organisation owns
    (created first, or whose id lies in that organisation's namespace ``<org>:...``); the detail
    names the owner and the fix."""
    DUPLICATE_EVENT_ID = "duplicate_event_id"
    """An event with this source and id was accepted before (within the de-duplication window)."""
    TOO_LARGE = "too_large"
    """The record is larger than the gateway accepts."""
    TIME_IN_FUTURE = "time_in_future"
    """The event's time is further in the future than the allowed clock skew."""
    TIME_TOO_OLD = "time_too_old"
    """The event's time is older than the gateway accepts."""
    UNKNOWN_ORGANISATION = "unknown_organisation"
    """The ingress topic belongs to none of the hub's organisations."""
    PROCESSING_ERROR = "processing_error"
    """An unexpected error while checking the record; the detail has the error."""
    WEBHOOK_FAILED = "webhook_failed"
    """The bridge could not deliver an outbox record to the organisation's webhook."""


def reason_of(error: CodecError) -> RejectReason:
    """The reason code of a record that did not decode to a valid event.

    A control character in an id, subject or source is ``control_character`` (so operators can
    count such records apart from ordinary mistakes); every other failure keeps its codec reason.
    """
    cause = error.__cause__
    if isinstance(cause, ValidationError) and any(
        item["type"] == CONTROL_CHARACTER for item in cause.errors(include_url=False)
    ):
        return RejectReason.CONTROL_CHARACTER
    return RejectReason(error.reason)
