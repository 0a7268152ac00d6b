"""The demo's live national summary: follows the view and signal topics, renders a panel.

One group-less, read-committed consumer tails ``kcr.view.situation``, ``kcr.view.capacity``
and ``kcr.signal.escalation`` and keeps the latest record per key and the active signals.
:func:`render_summary` turns that into a rich panel; :func:`summary_lines` into plain lines
for a log or a pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.table import Table

from hub.codec.serde import EventCodec
from hub.contracts.outputs import (
    EscalationEvent,
    EscalationResolved,
    NationalSituationView,
    ResourceCapacityView,
)
from hub.errors import CodecError
from hub.kafka.reading import bounded_consumer, partitions_of
from hub.topics.declaration import TopicNames

__all__ = ["NationalPicture", "SummaryFollower", "render_summary", "summary_lines"]


@dataclass
class NationalPicture:
    """What the summary shows: the national view, capacity per resource, active signals."""

    national: NationalSituationView | None = None
    capacity: dict[str, ResourceCapacityView] = field(default_factory=dict)
    signals: dict[str, EscalationEvent] = field(default_factory=dict)

    def take(self, item: BaseModel) -> None:
        """Fold one decoded record into the picture."""
        if isinstance(item, NationalSituationView):
            self.national = item
        elif isinstance(item, ResourceCapacityView):
            self.capacity[item.resource_type] = item
        elif isinstance(item, EscalationResolved):
            self.signals.pop(item.data.signal_id, None)
        elif isinstance(item, EscalationEvent):
            self.signals[item.data.signal_id] = item


class SummaryFollower:
    """Keeps a :class:`NationalPicture` up to date and calls ``show`` every ``every`` seconds."""

    def __init__(
        self,
        bootstrap: str,
        names: TopicNames,
        codec: EventCodec,
        show: Callable[[NationalPicture], None],
        every: float = 2.0,
        client_config: Mapping[str, Any] | None = None,
    ) -> None:
        """Prepare the follower for the hub whose topics are ``names``."""
        self.bootstrap, self.names, self.codec = bootstrap, names, codec
        self.show, self.every, self.client_config = show, every, client_config
        self.picture = NationalPicture()

    async def run(self, stop: asyncio.Event, ready: asyncio.Event) -> None:
        """Follow the topics until ``stop`` is set."""
        topics = [self.names.view("situation"), self.names.view("capacity"), self.names.signals]
        consumer = bounded_consumer(self.bootstrap, self.client_config)
        await consumer.start()
        try:
            consumer.assign(await partitions_of(self.bootstrap, topics, self.client_config))
            ready.set()
            loop = asyncio.get_running_loop()
            shown_at = loop.time()
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        await self._take(record.value)
                if loop.time() - shown_at >= self.every:
                    self.show(self.picture)
                    shown_at = loop.time()
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _take(self, value: bytes | None) -> None:
        if value is None:
            return
        with contextlib.suppress(CodecError):  # a record of a newer hub: shown once it knows it
            self.picture.take(await self.codec.decode(value))


def summary_lines(picture: NationalPicture) -> list[str]:
    """Return the picture as a few plain lines."""
    lines = []
    if picture.national is not None:
        grips = ", ".join(
            f"GRIP {g.grip_level}: {' '.join(g.regions)}"
            for g in picture.national.regions_by_grip
            if g.regions
        )
        lines.append(
            f"{picture.national.active_incidents} active incidents, "
            f"{picture.national.total_affected} people affected; {grips or 'no regions scaled up'}"
        )
    for resource, view in sorted(picture.capacity.items()):
        lines.append(
            f"{resource}: {view.available} available, {view.committed} committed of {view.total}"
        )
    for signal in sorted(picture.signals.values(), key=lambda s: s.data.signal_id):
        lines.append(f"signal [{signal.data.severity}] {signal.data.title}")
    return lines


def render_summary(picture: NationalPicture, story: str) -> RenderableType:
    """Return the picture as rich tables, headed by the last story line."""
    signals = Table(title="Active signals", expand=True)
    signals.add_column("severity")
    signals.add_column("signal")
    for signal in sorted(picture.signals.values(), key=lambda s: s.data.signal_id):
        signals.add_row(str(signal.data.severity), signal.data.title)
    capacity = Table(title="National capacity", expand=True)
    for column in ("resource", "available", "committed", "total"):
        capacity.add_column(column)
    for resource, view in sorted(picture.capacity.items()):
        capacity.add_row(resource, str(view.available), str(view.committed), str(view.total))
    heading = summary_lines(NationalPicture(national=picture.national))
    return Group(f"[bold]{story}[/]", *heading, signals, capacity)
