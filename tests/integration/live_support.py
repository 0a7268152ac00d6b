"""Shared by the live-hub tests: a hub environment, a partner simulator, readers of outputs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import EscalationEvent
from hub.domain import testing as given
from hub.domain._common import packaged_text
from hub.readers import latest_by_key, read_topic
from hub.topics.declaration import TopicNames

SILENCE_SECONDS = 6
EXPECTED = (*load_registry().region_ids(), "ncc", "locc")


def thresholds_file(tmp_path: Path) -> Path:
    """Escalation thresholds with a silence limit of seconds instead of minutes."""
    text = packaged_text("escalation.toml")
    text = text.replace("max_silence_minutes = 5", f"max_silence_minutes = {SILENCE_SECONDS / 60}")
    path = tmp_path / "escalation.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Crisis:
    """Publishes a partner's events now, and keeps every expected organisation heartbeating."""

    def __init__(self, bootstrap: str, names: TopicNames, codec: EventCodec) -> None:
        self.bootstrap, self.names, self.codec = bootstrap, names, codec
        self.quiet: set[str] = set()
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)

    async def send(self, event: EventEnvelope) -> None:
        """Publish ``event`` to its source's ingress topic."""
        value = await self.codec.encode(event)
        await self.producer.send_and_wait(
            self.names.ingress(event.source), value, key=event.subject.encode(),
            headers=to_ce_headers(event),
        )  # fmt: skip

    async def heartbeats(self) -> None:
        """Every two seconds a heartbeat from each expected organisation that is not quiet."""
        while True:
            now = datetime.now(UTC)
            for org in EXPECTED:
                if org not in self.quiet:
                    await self.send(given.heartbeat(now, org))
            await asyncio.sleep(2)


@contextlib.asynccontextmanager
async def crisis(bootstrap: str, names: TopicNames, url: str) -> AsyncIterator[Crisis]:
    """A :class:`Crisis` with its heartbeats running for the duration of the block."""
    scripted = Crisis(bootstrap, names, EventCodec(HttpSchemaRegistry(url)))
    await scripted.codec.register_all()  # ids cached: partners keep sending while the hub is down
    await scripted.producer.start()
    beating = asyncio.create_task(scripted.heartbeats())
    try:
        yield scripted
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        await scripted.producer.stop()


def reader(env: dict[str, str]) -> tuple[TopicNames, EventCodec]:
    """The topic names and a codec for the hub ``env`` describes."""
    codec = EventCodec(HttpSchemaRegistry(env["KCR_REGISTRY_URL"]))
    return TopicNames(env["KCR_TOPIC_PREFIX"]), codec


async def views(env: dict[str, str], kind: str) -> dict[str, BaseModel]:
    """The latest record per key of view ``kind``."""
    names, codec = reader(env)
    return await latest_by_key(env["KCR_BOOTSTRAP"], names.view(kind), codec)


async def signals_of(env: dict[str, str]) -> list[EscalationEvent]:
    """Every escalation event published so far."""
    names, codec = reader(env)
    items = await read_topic(env["KCR_BOOTSTRAP"], names.signals, codec)
    return [item for _, item in items if isinstance(item, EscalationEvent)]


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:
    """Poll the async ``check`` until it returns True."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


async def outbox(env: dict[str, str], org: str) -> list[BaseModel]:
    """Return everything in ``org``'s outbox so far."""
    names, codec = reader(env)
    return [item for _, item in await read_topic(env["KCR_BOOTSTRAP"], names.outbox(org), codec)]
