"""Plays the storyline against a running hub, as the partners would: through their ingress.

Besides the beats, every expected organisation sends a heartbeat now and then (the silent
region not while its 112 is out). Times are story seconds divided by ``speed``. Events are
published to each organisation's own ingress topic with one idempotent producer, exactly as
connectors do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hub.codec.headers import to_ce_headers
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.domain import testing as build
from hub.kafka import aio
from hub.logs import get_logger
from hub.simulator.storyline import (
    SILENCE_ENDS,
    SILENCE_STARTS,
    SILENT_REGION,
    STORYLINE,
    Beat,
)
from hub.topics.declaration import TopicNames

__all__ = ["PlayerSettings", "StoryPlayer"]

_log = get_logger("hub.simulator")


@dataclass(frozen=True)
class PlayerSettings:
    """How fast the story plays and how often partners show signs of life."""

    speed: float = 1.0
    heartbeat_every: float = 10.0  # story seconds
    expected: tuple[str, ...] = ()
    client_config: Mapping[str, Any] = field(default_factory=dict)


class StoryPlayer:
    """Publishes the storyline and the partners' routine events until stopped."""

    def __init__(
        self,
        bootstrap: str,
        names: TopicNames,
        codec: EventCodec,
        settings: PlayerSettings,
        on_beat: Callable[[float, Beat], None] | None = None,
    ) -> None:
        """Prepare a player; ``on_beat`` is told each beat as it plays (story seconds, beat)."""
        self.bootstrap, self.names, self.codec, self.settings = bootstrap, names, codec, settings
        self.on_beat = on_beat
        self.published = 0
        self._producer: aio.AIOKafkaProducer | None = None
        self._started = 0.0

    async def run(self, stop: asyncio.Event, ready: asyncio.Event) -> None:
        """Play until ``stop`` is set (the story ends early; routine events go on)."""
        await self.codec.register_all()
        self._producer = aio.producer(self.bootstrap, self.settings.client_config)
        await self._producer.start()
        self._started = asyncio.get_running_loop().time()
        ready.set()
        tasks = [asyncio.create_task(coro) for coro in (self._story(), self._routine())]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self._producer.stop()
            _log.info("simulator.stopped", published=self.published)

    def story_time(self) -> float:
        """Seconds of story played so far (wall seconds times the speed)."""
        return (asyncio.get_running_loop().time() - self._started) * self.settings.speed

    async def _until(self, story_second: float) -> None:
        await asyncio.sleep(max(0.0, (story_second - self.story_time()) / self.settings.speed))

    async def _story(self) -> None:
        for beat in STORYLINE:
            await self._until(beat.at)
            await self._publish(beat.events(datetime.now(UTC)))
            if self.on_beat is not None:
                self.on_beat(beat.at, beat)

    async def _routine(self) -> None:
        step = self.settings.heartbeat_every
        while True:
            now, story = datetime.now(UTC), self.story_time()
            silent = SILENCE_STARTS <= story < SILENCE_ENDS
            events: list[EventEnvelope] = [
                build.heartbeat(now, org)
                for org in self.settings.expected
                if not (silent and org == SILENT_REGION)
            ]
            await self._publish(events)
            await asyncio.sleep(step / self.settings.speed)

    async def _publish(self, events: list[EventEnvelope]) -> None:
        assert self._producer is not None
        sends = []
        for event in events:
            value = await self.codec.encode(event)
            sends.append(
                await self._producer.send(
                    self.names.ingress(event.source),
                    value,
                    key=event.subject.encode(),
                    headers=to_ce_headers(event),
                )
            )
        await asyncio.gather(*sends)
        self.published += len(events)
