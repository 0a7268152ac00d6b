"""Where each tick output goes: the view, signal, coordination, advice and outbox topics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from pydantic import BaseModel

from hub.codec.headers import to_ce_headers
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.outputs import View
from hub.domain.hub import TickOutputs
from hub.domain.output_kinds import output_kinds
from hub.domain.views import ViewRecord
from hub.topics.declaration import TopicNames

__all__ = ["TLP_HEADER", "OutputRecord", "is_event", "output_records", "record_key"]


TLP_HEADER = "kcr_tlp"
"""Header of a view record in an outbox: the TLP it was delivered under (events carry
``ce_tlp`` in their envelope instead)."""


class OutputRecord(NamedTuple):
    """One record to publish: topic, key, the model to encode (None: a tombstone), its label.

    ``tlp`` is set for view records in outboxes: they have no envelope to carry their label.
    """

    topic: str
    key: str
    item: BaseModel | None
    tlp: str | None = None

    def headers(self) -> list[tuple[str, bytes]]:
        """The headers of the record: CloudEvents headers for an event, else its TLP if any."""
        if isinstance(self.item, EventEnvelope):
            return to_ce_headers(self.item)
        return [] if self.tlp is None else [(TLP_HEADER, self.tlp.encode())]


def record_key(item: BaseModel) -> str:
    """The Kafka key of an output: a view's key, an event's subject (its aggregate)."""
    if isinstance(item, View):
        return item.key
    if isinstance(item, EventEnvelope):
        return item.subject
    raise TypeError(f"{type(item).__name__} is not a hub output")


def output_records(outputs: TickOutputs, names: TopicNames) -> Iterator[OutputRecord]:
    """Return the records a tick's outputs become, in the domain's order, outboxes last.

    Views go to ``kcr.view.<kind>``; a view retired from the live state gets a tombstone on its
    view topic, after the tick's views. Then the events kind by kind, each to the topic and
    under the key its kind declares (:mod:`hub.domain.output_kinds`: signals to
    ``kcr.signal.escalation``, the workflows' events to ``kcr.coordination`` and
    ``kcr.advice``); then every delivery the router decided to each recipient's outbox.
    """
    for kind, key, view in outputs.views:
        yield OutputRecord(names.view(kind), key, view)
    for kind, key, _ in outputs.retired:
        yield OutputRecord(names.view(kind), key, None)
    for declared in output_kinds(outputs):
        topic: str = getattr(names, declared.topic)
        for event in getattr(outputs, declared.name):
            yield OutputRecord(topic, declared.key(event), event)
    for delivery in outputs.deliveries:
        output = delivery.output
        item = output.view if isinstance(output, ViewRecord) else output
        label = None if delivery.tlp is None else delivery.tlp.value
        for org in delivery.recipients:
            yield OutputRecord(names.outbox(org), record_key(item), item, label)


def is_event(item: BaseModel | None) -> bool:
    """Return whether ``item`` is an event (it then also gets CloudEvents headers)."""
    return isinstance(item, EventEnvelope)
