"""The notice a sender gets when the gateway refuses one of its records.

Pure: from the refused record's headers and its :class:`~hub.gateway.deadletter.DeadLetter` to
an :class:`~hub.contracts.outputs.IngressRejected` event for the sender's outbox. The sender
is the organisation of the ingress topic; the notice quotes the record's ``ce_id`` and
``ce_type`` headers when they are valid, and the dead letter's reason and detail, except that
a ``not_owner`` detail (which names the owner, for the operators) is told without naming
anyone: the notice must not reveal another organisation's aggregates.
"""

from __future__ import annotations

from pydantic import ValidationError

from hub.codec.headers import Headers
from hub.contracts.outputs.base import bounded_id
from hub.contracts.outputs.notices import IngressRejected, IngressRejectedData
from hub.gateway.deadletter import DeadLetter
from hub.gateway.reasons import RejectReason

__all__ = ["NOT_OWNER_NOTICE", "rejection_notice"]

NOT_OWNER_NOTICE = (
    "The aggregate this event changes was created by another organisation; only its owner may "
    "update, close, withdraw or cancel it. Fix: ask the owner to make the change (or answer "
    "the request instead), or create an aggregate of your own with an id in your namespace "
    "('<your org>:<id>'); a role may be allowed this in may_change_others of roles.json."
)
"""What a ``not_owner`` notice says (the dead letter names the owner for the operators)."""


def rejection_notice(org: str, headers: Headers, letter: DeadLetter) -> IngressRejected:
    """Return the notice for ``org`` that the record ``letter`` describes was refused."""
    where = f"{letter.topic}:{letter.partition}:{letter.offset}"
    detail = NOT_OWNER_NOTICE if letter.reason == RejectReason.NOT_OWNER else letter.detail
    fields = {
        "reason": letter.reason,
        "detail": detail[:4000],
        "topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "rejected_at": letter.rejected_at,
    }
    quoted = {"event_id": _header(headers, "ce_id"), "event_type": _header(headers, "ce_type")}
    try:
        data = IngressRejectedData.model_validate({**fields, **quoted})
    except ValidationError:  # a header the sender got wrong is not quoted back
        data = IngressRejectedData.model_validate(fields)
    notice_id = bounded_id(f"rejected:{where}")
    return IngressRejected(
        id=notice_id,
        subject=notice_id,
        time=letter.rejected_at,
        recipients=(org,),
        correlationid=data.event_id,
        data=data,
    )


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers:
        if key == name and value is not None:
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None
