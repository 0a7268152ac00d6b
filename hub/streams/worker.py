"""The processors' worker: log records in, the hub projection, views and signals out.

The clock's ticks come through a Faust agent; the events they cover are read below Faust, in
large batches, by a librdkafka consumer (:class:`hub.kafka.log_reader.LogReader`) started at
the offsets the saved state applied. Faust's per-record stream and its offset bookkeeping (an
interval tree rebuilt for every gap that a transaction marker leaves) cost more than the
projection itself. The outputs of ticks go out through librdkafka too
(:class:`hub.kafka.output_producer.OutputProducer`): sent one awaited record at a time through
Faust's producer buffer they lagged seconds behind their tick.

The state is kept as keyed entries (:mod:`hub.processing.keyed_state`): one per incident,
view, signal and workflow item, plus small header entries (last tick, applied offsets), on a
compacted topic of its own (:class:`hub.kafka.state_topic.StateTopic`, the topic Faust's table
used before). It is read whole at start with librdkafka, not recovered through a Faust table:
that recovery took ~45 s for 20,000 active incidents, most of a restart. A save writes only
the entries that changed, through the same producer as the outputs.

Ticks are acknowledged by hand: a tick is acked only once a save of the state that includes it
is acknowledged by the broker, so a worker killed at any moment restarts from its saved
entries, re-reads the ticks the save lacks and the events after the saved offsets. Offsets and
tick numbers in the state make the re-read idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from collections.abc import AsyncIterable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import faust

from hub.codec.serde import EventCodec
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.events.clock import ClockTicked
from hub.domain.hub import TickOutputs
from hub.domain.thresholds import Thresholds
from hub.errors import HubError
from hub.history.replay import ReplayWindow, replay_log
from hub.kafka.log_reader import LogReader, RawRecord, starts_after
from hub.kafka.output_producer import OutputProducer
from hub.kafka.state_topic import StateTopic, state_key
from hub.logs import get_logger
from hub.processing.keyed_state import KeyedWriter, from_entries
from hub.processing.projector import Projector
from hub.processing.tick_protocol import advance_ticks
from hub.streams.gap_reader import GapReader, StallWatch
from hub.streams.outputs import output_records
from hub.streams.transport import ReadCommittedApp
from hub.topics.declaration import TopicNames

__all__ = ["ProjectionWorker", "WorkerFailed", "WorkerSettings"]

_log = get_logger("hub.worker")
_OLD_SNAPSHOT_KEY = "projector"  # the whole state in one value, before keyed entries
_SAVING, _SAVED = '["saving"]', '["saved"]'  # the save under way, the last complete one
_CHANGELOG_CONFIG = {
    # the table's changelog is rewritten entry by entry: compact it soon, so a restart reads
    # about one record per live entry, not every save since the last roll of a 1 GB segment
    "segment.ms": "600000",
    "segment.bytes": str(16 * 1024 * 1024),
    "min.cleanable.dirty.ratio": "0.2",
    "delete.retention.ms": "600000",
}


class WorkerFailed(HubError, RuntimeError):
    """The projection agent stopped on an error: the worker cannot go on and exits."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(
            f"the processors stopped: {cause!r}",
            fix="the supervisor restarts the processors; they resume from their saved state.",
        )


async def _first(*waits: Coroutine[Any, Any, Any]) -> None:
    """Wait until the first of ``waits`` is done; cancel the others."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


@dataclass(frozen=True)
class WorkerSettings:
    """Batching and persistence of the projection worker."""

    batch_size: int = 2000
    batch_within: float = 0.02
    snapshot_interval: float = 1.0
    stall_seconds: float = 5.0  # a partition silent this long while its tick waits is re-read
    buffered_limit: int = 50_000  # events read ahead of the ticks that cover them, at most
    client_config: Mapping[str, Any] = field(default_factory=dict)
    librdkafka_config: Mapping[str, str] = field(default_factory=dict)  # the login, its keys
    thresholds: Thresholds | None = None
    replication_factor: int = 1  # of the state topic (created on a first start): the cluster's


def _faust_credentials(config: Mapping[str, Any]) -> dict[str, Any]:
    """Faust's ``broker_credentials`` for the SASL login in aiokafka ``config``, if any."""
    if "sasl_plain_username" not in config:
        return {}
    credentials = faust.SASLCredentials(
        username=config["sasl_plain_username"],
        password=config["sasl_plain_password"],
        mechanism=config.get("sasl_mechanism", "SCRAM-SHA-512"),
        ssl_context=config.get("ssl_context"),
    )
    return {"broker_credentials": credentials}


@dataclass
class _Pending:
    """A consumed record not yet covered by a saved snapshot."""

    event: Any  # faust's EventT
    position: tuple[str, int]
    offset: int
    tick: int | None


class ProjectionWorker:
    """Runs the projection live: log topics in, views and signals out."""

    def __init__(
        self,
        bootstrap: str,
        names: TopicNames,
        codec: EventCodec,
        settings: WorkerSettings | None = None,
    ) -> None:
        """Prepare the worker; :meth:`run` builds and starts the Faust app."""
        self.bootstrap = bootstrap
        self.names = names
        self.codec = codec
        self.settings = settings or WorkerSettings()
        self.projector: Projector | None = None
        self.ticks_evaluated = 0
        self._pending: list[_Pending] = []
        self._lock = asyncio.Lock()  # one batch or the final save at a time
        self._stream: faust.Stream[Any] | None = None
        self._saved_at = 0.0
        self._writer = KeyedWriter()
        self._generation = 0  # of the last complete save
        self._failed = asyncio.Event()
        self._failure: BaseException | None = None
        # every reader of the worker's that names a group uses the one its login may use
        self._group = f"{self.names.prefix}-processors-log"
        self.gap_reader = GapReader(
            bootstrap, codec, self.settings.librdkafka_config, group=self._group
        )
        self._stall_watch = StallWatch(self.settings.stall_seconds)
        self.outputs = OutputProducer(bootstrap, self.settings.librdkafka_config)
        self._reader: LogReader | None = None
        self._reading: asyncio.Task[None] | None = None
        self.state_topic = StateTopic(
            bootstrap,
            f"{self.names.prefix}-processors-projector-changelog",
            self.settings.librdkafka_config,
            group=self._group,
        )
        self.state: dict[str, bytes] = {}  # the saved entries, as on the state topic
        self.app = self._build_app()

    def _build_app(self) -> faust.App:
        app = ReadCommittedApp(
            f"{self.names.prefix}-processors",
            broker=f"kafka://{self.bootstrap}",
            store="memory://",
            topic_partitions=1,
            topic_replication_factor=self.settings.replication_factor,
            topic_allow_declare=True,
            table_standby_replicas=0,
            web_enabled=False,
            broker_session_timeout=10,
            broker_heartbeat_interval=1,
            broker_rebalance_timeout=10,
            broker_commit_interval=0.5,
            consumer_auto_offset_reset="earliest",
            producer_acks=-1,
            # events wait unacked for the tick that covers them: never wait for all acks to stop
            stream_wait_empty=False,
            **_faust_credentials(self.settings.client_config),
        )
        clock = self.names.log("clock")
        self.event_topics = [self.names.log(f) for f in FAMILIES if self.names.log(f) != clock]
        source = app.topic(clock, key_serializer="raw", value_serializer="raw")
        app.agent(source, name="project")(self._agent)
        return app

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Start the Faust app, serve until ``stop`` is set, then stop it."""
        await self._read_state()
        await self.app.start()
        if ready is not None:
            ready.set()
        _log.info("worker.started", app=self.app.conf.id)
        try:
            await _first(stop.wait(), self._failed.wait())
            if self._failure is not None:
                raise WorkerFailed(self._failure) from self._failure
            await self._final_save()
        finally:
            await self._stop_reading()
            await self.outputs.close()
            await self.app.stop()
            await self.gap_reader.close()
            _log.info("worker.stopped", ticks=self.ticks_evaluated)

    async def _read_state(self) -> None:
        """Read the saved entries (creating their topic on a first start)."""
        topic = self.state_topic
        if await topic.ensure(self.settings.replication_factor, _CHANGELOG_CONFIG):
            _log.info("worker.state_topic_created", topic=topic.name)
        began = time.monotonic()
        self.state = await topic.read()
        _log.info(
            "worker.state_read",
            entries=len(self.state),
            seconds=round(time.monotonic() - began, 2),
        )

    async def _final_save(self) -> None:
        """Save the state and ack what it covers, so a restart re-reads as little as possible."""
        async with self._lock:
            if self.projector is not None and self._stream is not None:
                await self._save_and_ack(self._stream, self.projector)

    async def _agent(self, source: faust.types.StreamT[Any]) -> AsyncIterable[None]:
        manual = cast("faust.Stream[Any]", source).noack()
        self._stream = cast("faust.Stream[Any]", manual)
        batches = cast("faust.Stream[Any]", manual).noack_take(
            self.settings.batch_size, self.settings.batch_within
        )
        try:
            async for events in batches:
                async with self._lock:
                    await self._handle(cast("faust.Stream[Any]", manual), events)
                yield None
        except Exception as error:  # the worker cannot go on: say so, and let run() fail
            self._fail(error)
            raise

    def _fail(self, error: BaseException) -> None:
        _log.error("worker.failed", error=repr(error))
        self._failure = error
        self._failed.set()

    async def _handle(self, stream: faust.Stream[Any], events: Sequence[Any]) -> None:
        """Take a batch of clock records (from Faust) and evaluate what is ready."""
        projector = await self._ensure_projector()
        for event in events:
            message = event.message
            position, offset = (message.topic, message.partition), message.offset
            item = await self.codec.decode_log_record(event.value, *position, offset)
            tick = item.data.tick if isinstance(item, ClockTicked) else None
            self._pending.append(_Pending(event, position, offset, tick))
            self._stall_watch.delivered(position)
            projector.offer(position, offset, item)
        await self._evaluate(projector)

    async def _evaluate(self, projector: Projector) -> None:
        evaluated = await self._advance(projector)
        self.ticks_evaluated += evaluated
        due = time.monotonic() - self._saved_at >= self.settings.snapshot_interval
        if evaluated and due and self._stream is not None:
            await self._save_and_ack(self._stream, projector)

    async def _start_reading(self, projector: Projector) -> None:
        """Read the event topics from one past the offsets ``projector`` applied."""
        reader = LogReader(
            self.bootstrap, f"{self.names.prefix}-processors-log", self.settings.librdkafka_config
        )
        positions = await reader.partitions(self.event_topics)
        reader.assign(starts_after(projector.barrier.applied, positions))
        self._reader = reader
        self._reading = asyncio.create_task(self._read_log(reader, projector))
        _log.info("worker.reading", partitions=len(positions))

    async def _read_log(self, reader: LogReader, projector: Projector) -> None:
        """Offer every batch of events to the barrier and evaluate the ticks it completes."""
        try:
            while True:
                if projector.barrier.buffered_events() > self.settings.buffered_limit:
                    await asyncio.sleep(0.05)  # far ahead of the ticks: let them catch up
                    continue
                records = await reader.fetch()
                if records:
                    await self._take_events(projector, records)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the worker cannot go on without the log
            self._fail(error)

    async def _take_events(self, projector: Projector, records: Sequence[RawRecord]) -> None:
        decode = self.codec.decode_log_record
        items = [await decode(r.value, r.topic, r.partition, r.offset) for r in records]
        async with self._lock:
            for record, item in zip(records, items, strict=True):
                position = (record.topic, record.partition)
                self._stall_watch.delivered(position)
                projector.offer(position, record.offset, item)
            await self._evaluate(projector)

    async def _stop_reading(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
        if self._reader is not None:
            await self._reader.close()

    async def _advance(self, projector: Projector) -> int:
        """Evaluate every complete tick, reading skipped ranges from the log (the tick protocol)."""
        return await advance_ticks(
            projector, self.gap_reader, self._publish, self._stall_watch.stalled_for
        )

    async def _ensure_projector(self) -> Projector:
        if self.projector is None:
            projector = self._restored() or await self._rebuilt(self._saved_last_tick())
            await self._start_reading(projector)
            self.projector = projector
        return self.projector

    def _restored(self) -> Projector | None:
        """The projector in the saved entries, or None when there are none this version can use."""
        markers = (self.state.get(_SAVING), self.state.get(_SAVED))
        entries = [(key, raw) for key, raw in self.state.items() if key not in (_SAVING, _SAVED)]
        if not entries:
            return None
        if markers[0] != markers[1]:
            _log.warning("worker.state_torn", saving=markers[0], saved=markers[1])
            self._writer = KeyedWriter((key, b"") for key, _ in entries)  # all written again
            return None
        try:
            projector = Projector.from_snapshot(from_entries(entries), self.settings.thresholds)
        except (ValueError, KeyError, TypeError) as error:
            _log.warning("worker.snapshot_unusable", error=str(error), action="rebuild from log")
            self._writer = KeyedWriter((key, b"") for key, _ in entries)  # replaced at first save
            return None
        self._writer = KeyedWriter(entries)
        self._generation = int(markers[1] or b"0")
        _log.info(
            "worker.restored",
            last_tick=projector.projection.last_tick,
            entries=len(entries),
            bytes=sum(len(raw) for _, raw in entries),
        )
        return projector

    def _saved_last_tick(self) -> int | None:
        """The last tick an earlier worker published, read leniently from any saved state."""
        raw = self.state.get('["projection","last_tick"]')
        old = self.state.get(_OLD_SNAPSHOT_KEY)
        try:
            if raw is not None:
                last = json.loads(raw)
            elif old is not None:  # written by a version before keyed entries
                last = json.loads(zlib.decompress(old))["projection"]["last_tick"]
            else:
                return None
        except (ValueError, KeyError, TypeError, zlib.error):
            return None
        return last if isinstance(last, int) else None

    async def _rebuilt(self, published_up_to: int | None) -> Projector:
        """Fold the whole log (as ``kcr replay`` does) and publish what was not published yet.

        Used on a first start and when the saved state is from an incompatible version: the
        log is the truth. The outputs of ticks after ``published_up_to`` are published (an
        earlier worker published the ones before), then every current view, so the view topics
        match this version of the processors.
        """
        window = ReplayWindow()
        result = await replay_log(
            self.bootstrap, self.names, self.codec, window, self.settings.thresholds,
            self.settings.librdkafka_config, group=self._group,
        )  # fmt: skip
        for outputs in result.outputs:
            if published_up_to is None or outputs.tick > published_up_to:
                await self._publish(outputs)
        projection = result.projector.projection
        views = TickOutputs(
            projection.last_tick or 0, datetime.now(UTC), views=projection.published_views()
        )
        await self._publish(views)
        _log.info("worker.rebuilt", events=result.events, ticks=result.ticks)
        return result.projector

    async def _publish(self, outputs: TickOutputs) -> None:
        encoded: dict[tuple[int, str | None], tuple[bytes | None, list[tuple[str, bytes]]]] = {}
        for record in output_records(outputs, self.names):
            known = encoded.get((id(record.item), record.tlp))
            if known is None:  # an output goes to its topic and to many outboxes: encode it once
                value = None if record.item is None else await self.codec.encode(record.item)
                known = encoded[id(record.item), record.tlp] = (value, record.headers())
            value, headers = known
            self.outputs.send(record.topic, record.key.encode(), value, headers)
        self.outputs.serve()

    async def _store(self, projector: Projector) -> None:
        """Write the entries of the state that changed since the last save to the state topic.

        A save looks at what the projection touched (a tick can change it without any event or
        output, e.g. a finished request leaving it); only what differs is written. A save spans
        many records, so it is bracketed: ``saving`` = n first, then the entries, and ``saved``
        = n only once the broker has acknowledged them. A worker killed in between leaves
        ``saving`` ahead of ``saved``: its successor sees a torn state and rebuilds from the log.
        """
        changes = self._writer.changes(projector.to_snapshot())
        if not changes:
            self._writer.saved(changes)  # nothing to write: what it looked at is as stored
            return
        generation = self._generation + 1
        changelog = self.state_topic.name
        self._put(changelog, _SAVING, str(generation).encode())
        for key, raw in changes.written.items():
            self._put(changelog, key, raw)
        for key in changes.deleted:
            self._put(changelog, key, None)
        await self.outputs.flush()
        self._put(changelog, _SAVED, str(generation).encode())
        await self.outputs.flush()
        self._writer.saved(changes)
        self._generation = generation
        _log.debug("worker.saved", written=len(changes.written), deleted=len(changes.deleted))

    def _put(self, changelog: str, key: str, raw: bytes | None) -> None:
        """Set (``None``: delete) one saved entry: here, and on the state topic ``changelog``."""
        store = self.state
        if raw is None:
            store.pop(key, None)
        else:
            store[key] = raw
        self.outputs.send(changelog, state_key(key), raw, partition=0)

    async def _save_and_ack(self, stream: faust.Stream[Any], projector: Projector) -> None:
        # outputs first: a snapshot must never claim a tick whose outputs could still be lost
        await self.outputs.flush()
        await self._store(projector)
        self._saved_at = time.monotonic()
        last_tick = projector.projection.last_tick
        keep: list[_Pending] = []
        for pending in self._pending:
            done = (
                pending.tick <= last_tick
                if pending.tick is not None and last_tick is not None
                else pending.offset <= projector.applied(pending.position)
            )
            if done:
                await stream.ack(pending.event)
            else:
                keep.append(pending)
        self._pending = keep
        if self._reader is not None:  # for operators' lag tools only
            applied = projector.barrier.applied
            self._reader.commit({p: applied[p] for p in applied if p[0] in self.event_topics})
