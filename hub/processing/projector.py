"""Log records in; tick outputs out: the tick barrier in front of the hub projection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hub.contracts.events.clock import ClockTicked
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.reference import ReferenceData
from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.thresholds import Thresholds
from hub.processing.barrier import Position, TickBarrier

__all__ = ["PROJECTOR_SNAPSHOT_VERSION", "Projector"]

PROJECTOR_SNAPSHOT_VERSION = 2
_PROCESSOR_DEDUPE_WINDOW = 256  # the gateway de-duplicates; offsets make the worker idempotent


class Projector:
    """Feeds log events and ticks through a :class:`TickBarrier` into a :class:`HubProjection`."""

    def __init__(
        self,
        projection: HubProjection | None = None,
        barrier: TickBarrier | None = None,
        thresholds: Thresholds | None = None,
        organisations: OrganisationRegistry | None = None,
        reference: ReferenceData | None = None,
    ) -> None:
        """Start empty, or continue from a restored projection and barrier.

        ``thresholds``, ``organisations`` (the organisation registry) and ``reference`` are
        handed to a new projection; each defaults to the packaged one.
        """
        self.projection = projection or HubProjection(
            thresholds,
            dedupe_window=_PROCESSOR_DEDUPE_WINDOW,
            organisations=organisations,
            reference=reference,
        )
        self.barrier = barrier or TickBarrier(last_tick=self.projection.last_tick)

    def offer(self, position: Position, offset: int, event: EventEnvelope | None) -> None:
        """Take one record of the log (events and clock ticks alike; None: undecodable)."""
        if isinstance(event, ClockTicked):
            self.barrier.offer_tick(event, position, offset)
        else:
            self.barrier.offer_event(position, offset, event)

    def advance(
        self, until: datetime | None = None, until_tick: int | None = None, verify: bool = False
    ) -> Iterator[TickOutputs]:
        """Apply what the ready ticks cover and evaluate them, in order.

        ``until`` / ``until_tick`` stop before the first tick after that time / number. With
        ``verify`` a tick also waits until every record it counts is held (see
        :meth:`TickBarrier.gaps`): the live worker's guard against a consumer that skips.
        """
        for release in self.barrier.releases(until, until_tick, verify):
            self.projection.apply_all(release.events)
            yield self.projection.on_clock(release.tick)

    def applied(self, position: Position) -> int:
        """Return the highest offset applied at ``position`` (-1 when none)."""
        return self.barrier.applied.get(position, -1)

    def to_snapshot(self) -> dict[str, Any]:
        """Return a JSON-able snapshot: the projection and the applied offsets."""
        return {
            "version": PROJECTOR_SNAPSHOT_VERSION,
            "projection": self.projection.to_snapshot(),
            "applied": self.applied_snapshot(),
        }

    def applied_snapshot(self) -> list[list[Any]]:
        """Return the applied offsets as in :meth:`to_snapshot`: ``[topic, partition, offset]``."""
        return [[t, p, o] for (t, p), o in sorted(self.barrier.applied.items())]

    @classmethod
    def from_snapshot(
        cls,
        data: dict[str, Any],
        thresholds: Thresholds | None = None,
        organisations: OrganisationRegistry | None = None,
        reference: ReferenceData | None = None,
    ) -> Projector:
        """Continue from :meth:`to_snapshot`'s dict."""
        if data.get("version") != PROJECTOR_SNAPSHOT_VERSION:
            raise ValueError(f"projector snapshot version {data.get('version')!r} is unknown")
        projection = HubProjection.from_snapshot(
            data["projection"], thresholds, organisations=organisations, reference=reference
        )
        applied = {(t, p): o for t, p, o in data["applied"]}
        return cls(projection, TickBarrier(applied=applied, last_tick=projection.last_tick))
