"""What every workflow output of the hub shares: the envelope, deterministic ids, TLP policy.

Workflow outputs (coordination requests, assistance outcomes, information fan-out, advice)
are the hub's own events, like the escalation signals: ``source`` is ``hub``, ids are
deterministic (``<subject>:<verb>:<tick>``) so a replay reproduces them exactly, and each is
addressed through ``recipients``. They are *directed* messages, so their TLP is at least
``AMBER_STRICT`` (the recipients' organisations only; see :func:`stricter`), or stricter when
the partner event that caused them was.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import Field

from hub.contracts.events.envelope import EventEnvelope, Tlp

__all__ = [
    "DIRECTED_TLP",
    "MAX_ID_LENGTH",
    "TLP_ORDER",
    "HubOutput",
    "bounded_id",
    "output_event_id",
    "stricter",
]

MAX_ID_LENGTH = 200
"""Longest id the contracts accept (``Identifier``)."""

TLP_ORDER: tuple[Tlp, ...] = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)
"""TLP labels from the least to the most restrictive."""

DIRECTED_TLP = Tlp.AMBER_STRICT
"""The least restrictive label of a directed workflow output."""


def stricter(*labels: Tlp) -> Tlp:
    """Return the most restrictive of ``labels`` (``RED`` over ``AMBER_STRICT`` over ...)."""
    return max(labels, key=TLP_ORDER.index)


def bounded_id(text: str, limit: int = MAX_ID_LENGTH) -> str:
    """Return ``text`` if it fits in ``limit`` characters, else a cut with a hash of the whole.

    The result is the same for the same text, and different texts stay different.
    """
    if len(text) <= limit:
        return text
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
    return f"{text[: limit - 17]}~{digest}"


def output_event_id(subject: str, verb: str, tick: int) -> str:
    """Return the deterministic id of an output event: ``<subject>:<verb>:<tick>`` (bounded)."""
    return bounded_id(f"{subject}:{verb}:{tick}")


class HubOutput(EventEnvelope):
    """Common envelope of the hub's workflow outputs (abstract)."""

    source: Literal["hub"] = Field(default="hub", description="Always 'hub'.")
    tlp: Tlp = Field(
        default=DIRECTED_TLP,
        description="Traffic Light Protocol label; at least AMBER_STRICT for directed outputs.",
    )
