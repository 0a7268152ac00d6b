"""The record headers of the hub's messages, as JSON Schema objects for the AsyncAPI document.

Both are derived from the code that writes the headers: the CloudEvents binary-mode headers
from :func:`hub.codec.headers.to_ce_headers` applied to a sample envelope, the dead-letter
headers from :data:`hub.gateway.deadletter.DEADLETTER_HEADERS` and the reason codes of
:class:`hub.gateway.reasons.RejectReason` with the docs written beside each member.
"""

from __future__ import annotations

import ast
import inspect
import itertools
from datetime import UTC, datetime
from functools import cache
from typing import Any

from hub.codec.headers import AVRO_CONTENT_TYPE, to_ce_headers
from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.events.heartbeat import HeartbeatSent
from hub.gateway.deadletter import DEADLETTER_HEADERS
from hub.gateway.reasons import RejectReason

__all__ = ["ce_header_names", "ce_headers_schema", "deadletter_headers_schema", "reason_docs"]

_CONTENT_TYPE = "content-type"
_SAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
_ATTRIBUTE_FIELDS = {"ingestedat": "ingested_at"}
_EXTRA_DOCS = {
    "ce_specversion": "CloudEvents version, always '1.0'.",
    "ce_dataschema": (
        "URI of the value's writer schema in the schema registry, "
        "'<registry-url>/schemas/ids/<id>' (the id in the value's Confluent framing; GET answers "
        '{"schema": ...}). Set by the gateway on every log record and outbox notice, and by '
        "the bridge; absent where the writer knows no registry URL."
    ),
    _CONTENT_TYPE: f"Content type of the value: always '{AVRO_CONTENT_TYPE}' (Confluent framing).",
}
_DEADLETTER_DOCS = {
    "kcr_reason": "Reason code: why the gateway refused the record.",
    "kcr_detail": "Human-readable detail (at most 4,000 characters); names the field if any.",
    "kcr_source_topic": "The ingress topic the record was read from.",
    "kcr_source_partition": "Its partition, as decimal text.",
    "kcr_source_offset": "Its offset, as decimal text.",
    "kcr_rejected_at": "When the gateway refused it (ISO 8601, UTC).",
}


def _sample(*, full: bool) -> EventEnvelope:
    optional: dict[str, Any] = {}
    if full:
        optional = {"correlationid": "c", "causationid": "c", "recipients": ("vr01",),
                    "ingested_at": _SAMPLE_TIME}  # fmt: skip
    return HeartbeatSent.model_construct(
        id="i", source="vr01", subject="vr01", time=_SAMPLE_TIME, tlp=Tlp.RED, **optional
    )


@cache
def ce_header_names() -> tuple[tuple[str, ...], frozenset[str]]:
    """Return every header name the hub writes on an event, and those always present."""
    every = tuple(name for name, _ in to_ce_headers(_sample(full=True), dataschema="s"))
    always = frozenset(name for name, _ in to_ce_headers(_sample(full=False)))
    return every, always


def _header_doc(name: str) -> str:
    if name in _EXTRA_DOCS:
        return _EXTRA_DOCS[name]
    attribute = name.removeprefix("ce_")
    field = EventEnvelope.model_fields[_ATTRIBUTE_FIELDS.get(attribute, attribute)]
    doc = field.description or attribute
    if attribute == "recipients":
        doc += " Comma-separated organisation ids."
    if attribute == "ingestedat":
        doc += " RFC 3339, UTC."
    return doc


def ce_headers_schema(event_type: str | None = None) -> dict[str, Any]:
    """Return the JSON Schema of the CloudEvents headers of an event (``ce_type`` fixed if given).

    Header values are UTF-8 text on Kafka; the Avro value carries the same envelope. The hub
    writes the headers on every event it produces; on ingress the gateway reads only the value,
    so there they are recommended (for CloudEvents tooling), not checked.
    """
    every, always = ce_header_names()
    properties: dict[str, Any] = {}
    for name in every:
        prop: dict[str, Any] = {"type": "string", "description": _header_doc(name)}
        if name == "ce_type" and event_type is not None:
            prop["const"] = event_type
        elif name == "ce_specversion":
            prop["const"] = "1.0"
        elif name == _CONTENT_TYPE:
            prop["const"] = AVRO_CONTENT_TYPE
        elif name == "ce_tlp":
            prop["enum"] = [label.value for label in Tlp]
        properties[name] = prop
    return {
        "type": "object",
        "description": (
            "CloudEvents 1.0 Kafka protocol binding, binary mode: the envelope as ce_* headers "
            "(UTF-8). The hub writes them on every event it produces, the x-kcr-always-written "
            "ones always; the gateway reads only the Avro value, so on ingress they are "
            "recommended for CloudEvents tooling but not checked."
        ),
        "properties": properties,
        "x-kcr-always-written": [name for name in every if name in always],
    }


@cache
def reason_docs() -> dict[str, str]:
    """Return each dead-letter reason code with the doc written beside its enum member."""
    tree = ast.parse(inspect.getsource(RejectReason))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for assign, doc in itertools.pairwise(body):
        if isinstance(assign, ast.Assign) and isinstance(doc, ast.Expr):
            target = assign.targets[0]
            if isinstance(target, ast.Name) and isinstance(doc.value, ast.Constant):
                docs[RejectReason[target.id].value] = str(doc.value.value)
    return {reason.value: docs.get(reason.value, "") for reason in RejectReason}


def deadletter_headers_schema() -> dict[str, Any]:
    """Return the JSON Schema of a dead letter's headers: the original ones plus ``kcr_*``."""
    properties: dict[str, Any] = {
        name: {"type": "string", "description": _DEADLETTER_DOCS.get(name, name)}
        for name in DEADLETTER_HEADERS
    }
    properties["kcr_reason"]["enum"] = list(reason_docs())
    properties["kcr_reason"]["x-kcr-reasons"] = reason_docs()
    return {
        "type": "object",
        "description": "The rejected record's original headers, untouched, then the kcr_* headers.",
        "properties": properties,
        "required": list(DEADLETTER_HEADERS),
        "additionalProperties": {"type": "string"},
    }
