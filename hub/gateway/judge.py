"""Judging one consumed batch: every record becomes a log event or a dead letter (and a notice).

No Kafka client here: records come in through :class:`~hub.kafka.records.ConsumedRecord`, and
what the batch's transaction must write goes out as :class:`Judged` (its records to produce,
its verdicts, the ids it accepts and the owners it claims, applied only once it lands). A
record is decoded and judged without an await when its writer schema is cached (all but the
first of each schema id); only the registry's absence stops a batch (:class:`RegistryUnavailable`).
Encoding an accepted event is the one await per record left (the codec has no synchronous path).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hub.codec.headers import to_ce_headers
from hub.codec.registry_client import RegistryUnavailable
from hub.codec.serde import EventCodec
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import is_log_event
from hub.contracts.organisations import OrganisationRegistry
from hub.errors import CodecError
from hub.gateway.admission import Admitted, Rejected, Verdict, admit
from hub.gateway.deadletter import DeadLetter, deadletter_headers
from hub.gateway.dedupe import DedupeWindow, EventKey
from hub.gateway.notices import rejection_notice
from hub.gateway.ownership import BatchOwners, OwnershipBook, claim, judge_ownership, to_record
from hub.gateway.policy import GatewayPolicy
from hub.gateway.reasons import RejectReason, reason_of
from hub.kafka.records import ConsumedRecord, OutRecord
from hub.logs import get_logger
from hub.topics.declaration import TopicNames

__all__ = ["Judge", "Judged", "decoded_event"]

_log = get_logger("hub.gateway")
_TOPICS_MAX_AGE_S = 30.0  # how long an unknown outbox stays unknown before topics are read again

TopicList = Callable[[], Awaitable[set[str]]]


@dataclass
class Judged:
    """What one batch was judged to be, kept until its transaction's fate is known."""

    at: datetime
    keys: set[EventKey]
    owners: BatchOwners
    verdicts: list[Verdict] = field(default_factory=list)
    outputs: list[OutRecord] = field(default_factory=list)


class _BatchSeen:
    """Keys accepted before (the window) or earlier in the current batch."""

    def __init__(self, window: DedupeWindow) -> None:
        self.window = window
        self.batch: set[EventKey] = set()

    def __contains__(self, key: object) -> bool:
        return key in self.batch or key in self.window


class Judge:
    """Decides each record of a batch and prepares what its transaction writes."""

    def __init__(
        self,
        codec: EventCodec,
        organisations: OrganisationRegistry,
        policy: GatewayPolicy,
        names: TopicNames,
        topics: TopicList,
    ) -> None:
        """Judge with these organisations and limits; ``topics`` lists the cluster's topics."""
        self.codec = codec
        self.organisations = organisations
        self.policy = policy
        self.names = names
        self._topic_list = topics
        self._topics: set[str] = set()  # to write notices only to outboxes that exist
        self._topics_read = float("-inf")  # (a missing one would fail every batch)
        self._orgs: dict[str, str] = {}

    async def batch(
        self,
        records: Sequence[ConsumedRecord],
        now: datetime,
        window: DedupeWindow,
        book: OwnershipBook,
    ) -> Judged:
        """Judge ``records`` in order; raises :class:`RegistryUnavailable` (nothing judged)."""
        seen = _BatchSeen(window)
        judged = Judged(now, seen.batch, BatchOwners(book))
        outputs = judged.outputs
        for record in records:
            value = record.value()
            decoded = self._decoded_now(value)
            if decoded is None:  # the first record of its schema id: ask the registry
                decoded = await self._decoded_later(value)
            verdict = self._verdict(decoded, record, now, seen, judged.owners)
            judged.verdicts.append(verdict)
            if isinstance(verdict, Admitted):
                outputs.append(await self._logged(verdict.event))
            else:
                outputs.append(self._dead_letter(record, verdict, now))
                outputs += await self._notice(record, verdict, now)
        topic = self.names.ownership
        outputs += [(topic, *to_record(k, o), []) for k, o in judged.owners.pending.items()]
        return judged

    def _decoded_now(self, value: bytes | None) -> EventEnvelope | Rejected | None:
        """The event in ``value``, or why it is refused; None when the registry must be asked."""
        if value is not None and len(value) > self.policy.max_record_bytes:
            size, limit = len(value), self.policy.max_record_bytes
            return Rejected(RejectReason.TOO_LARGE, f"value of {size} bytes exceeds {limit}")
        try:
            item = self.codec.decode_cached(value)
        except CodecError as error:
            return Rejected(reason_of(error), error.message)
        except Exception as error:
            return Rejected(RejectReason.PROCESSING_ERROR, repr(error))
        if isinstance(item, EventEnvelope) and is_log_event(type(item)):
            return item
        return None

    async def _decoded_later(self, value: bytes | None) -> EventEnvelope | Rejected:
        """The event in ``value`` or why it is refused, fetching its writer schema if need be."""
        try:
            return await self.codec.decode_event(value)
        except CodecError as error:
            return Rejected(reason_of(error), error.message)
        except RegistryUnavailable:
            raise
        except Exception as error:
            return Rejected(RejectReason.PROCESSING_ERROR, repr(error))

    def _verdict(
        self,
        decoded: EventEnvelope | Rejected,
        record: ConsumedRecord,
        now: datetime,
        seen: _BatchSeen,
        owners: BatchOwners,
    ) -> Verdict:
        """Admission, then ownership, of a decoded event; an accepted one's claim is noted."""
        if isinstance(decoded, Rejected):
            return decoded
        event = decoded
        verdict = admit(event, self._org_of(record), self.organisations, self.policy, seen, now)
        if isinstance(verdict, Admitted):
            refused = judge_ownership(event, owners, self.organisations)
            if refused is not None:
                return refused
            seen.batch.add((event.source, event.id))
            claimed = claim(event, owners, now)
            if claimed is not None:
                owners.pending[claimed[0]] = claimed[1]
        return verdict

    def _org_of(self, record: ConsumedRecord) -> str:
        topic = record.topic() or ""
        org = self._orgs.get(topic)
        if org is None:
            org = self._orgs[topic] = self.names.org_of_ingress(topic) or topic
        return org

    async def _logged(self, event: EventEnvelope) -> OutRecord:
        value = await self.codec.encode(event)
        topic = self.names.log(event.family)
        return topic, event.subject.encode(), value, self._headers(event, value)

    def _headers(self, event: EventEnvelope, value: bytes) -> list[tuple[str, bytes]]:
        """The ``ce_*`` headers of ``event``, ``ce_dataschema`` naming its writer schema."""
        return to_ce_headers(event, dataschema=self.codec.dataschema(value))

    def _dead_letter(self, record: ConsumedRecord, verdict: Rejected, now: datetime) -> OutRecord:
        headers = deadletter_headers(record.headers() or [], _letter(record, verdict, now))
        return self.names.deadletter, record.key(), record.value(), headers

    async def _notice(
        self, record: ConsumedRecord, verdict: Rejected, now: datetime
    ) -> list[OutRecord]:
        """The notice of a refused record for its sender's outbox (none for an unknown one)."""
        org = self.names.org_of_ingress(record.topic() or "")
        if org is None or org not in self.organisations or org == "hub":
            return []
        outbox = self.names.outbox(org)
        if not await self._exists(outbox):
            _log.warning("gateway.notice_without_outbox", org=org, topic=outbox)
            return []
        notice = rejection_notice(org, record.headers() or [], _letter(record, verdict, now))
        value = await self.codec.encode(notice)
        return [(outbox, notice.subject.encode(), value, self._headers(notice, value))]

    async def _exists(self, topic: str) -> bool:
        """Whether ``topic`` exists (the topic list is read again at most every 30 s)."""
        loop_time = asyncio.get_running_loop().time()
        if topic not in self._topics and loop_time - self._topics_read > _TOPICS_MAX_AGE_S:
            self._topics = await self._topic_list()
            self._topics_read = loop_time
        return topic in self._topics


async def decoded_event(codec: EventCodec, value: bytes | None) -> EventEnvelope:
    """The log event in ``value``; decoded without an await when its writer schema is cached.

    Raises :class:`CodecError` with the dead-letter reason, as
    :meth:`~hub.codec.serde.EventCodec.decode_event` does (it serves the first record of a
    schema id, fetching the writer schema, and anything that is not a log event).
    """
    item = codec.decode_cached(value)
    if isinstance(item, EventEnvelope) and is_log_event(type(item)):
        return item
    return await codec.decode_event(value)


def _letter(record: ConsumedRecord, verdict: Rejected, now: datetime) -> DeadLetter:
    return DeadLetter(verdict.reason.value, verdict.detail, record.topic() or "",
                      record.partition() or 0, record.offset() or 0, now)  # fmt: skip
