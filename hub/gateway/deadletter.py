"""Dead-letter records: the original key, value and headers, plus why and where from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.codec.headers import Headers

__all__ = ["DEADLETTER_HEADERS", "DeadLetter", "deadletter_headers"]

DEADLETTER_HEADERS = (
    "kcr_reason",
    "kcr_detail",
    "kcr_source_topic",
    "kcr_source_partition",
    "kcr_source_offset",
    "kcr_rejected_at",
)
"""Headers the gateway adds to a rejected record; the original headers come first, untouched."""


@dataclass(frozen=True)
class DeadLetter:
    """Where a rejected record came from and why it was rejected."""

    reason: str
    detail: str
    topic: str
    partition: int
    offset: int
    rejected_at: datetime


def deadletter_headers(original: Headers, letter: DeadLetter) -> Headers:
    """Return the original headers followed by the dead-letter headers of ``letter``."""
    added = (
        letter.reason,
        letter.detail[:4000],
        letter.topic,
        str(letter.partition),
        str(letter.offset),
        letter.rejected_at.isoformat(),
    )
    return [*original, *((k, v.encode()) for k, v in zip(DEADLETTER_HEADERS, added, strict=True))]
