"""The AsyncAPI messages: one per Avro record type the hub's topics carry, and two plain ones.

Event, output and view messages carry their generated Avro schema as payload (the same
schemas the codec registers; for partner events, the files in ``schemas/``), the Confluent
wire format in the Kafka message binding, and, for events, the CloudEvents headers.
"""

from __future__ import annotations

import inspect
from typing import Any

from pydantic import BaseModel

from hub.asyncapi.headers import ce_headers_schema, deadletter_headers_schema
from hub.codec.headers import AVRO_CONTENT_TYPE
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import hub_models, schema_for
from hub.contracts.outputs import VIEW_MODELS

__all__ = [
    "AVRO_SCHEMA_FORMAT",
    "DEADLETTER_MESSAGE",
    "KAFKA_BINDING_VERSION",
    "OWNERSHIP_RECORD_MESSAGE",
    "SCHEMA_RECORD_MESSAGE",
    "message_components",
    "message_id",
    "schema_fullname",
]

AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
"""The AsyncAPI schema format of an Avro schema written as JSON."""

KAFKA_BINDING_VERSION = "0.5.0"
"""The version of the AsyncAPI Kafka bindings used throughout."""

DEADLETTER_MESSAGE = "kcr.deadletter.record"
"""Message id of a rejected ingress record."""

OWNERSHIP_RECORD_MESSAGE = "kcr.ownership.record"
"""Message id of the gateway's record of who owns an aggregate."""

SCHEMA_RECORD_MESSAGE = "kcr.registry.record"
"""Message id of a schema registry storage record."""

WIRE_FORMAT = (
    "Value: Avro binary in the Confluent wire format: magic byte 0, the 4-byte big-endian "
    "schema id of the schema registry, then the Avro body. The schema is registered under "
    "its record full name (RecordNameStrategy), compatibility FULL_TRANSITIVE."
)


def schema_fullname(model: type[BaseModel]) -> str:
    """Return the Avro full name of ``model``'s schema: its schema registry subject."""
    schema = schema_for(model)
    return f"{schema['namespace']}.{schema['name']}"


def message_id(model: type[BaseModel]) -> str:
    """Return the message id of ``model``: its event type, or the Avro full name of a view."""
    if issubclass(model, EventEnvelope):
        return model.declared_type()
    return schema_fullname(model)


def _summary(model: type[BaseModel]) -> str:
    doc = inspect.cleandoc(model.__doc__ or model.__name__)
    return doc.splitlines()[0]


def _key_schema(model: type[BaseModel]) -> dict[str, Any]:
    if issubclass(model, EventEnvelope):
        return {"type": "string", "description": "UTF-8: the event's subject (aggregate id)."}
    prefix = next(p for p, (_, m) in VIEW_MODELS.items() if m is model)
    if prefix == "national":
        return {"type": "string", "const": "national", "description": "UTF-8 view key."}
    return {"type": "string", "pattern": f"^{prefix}/", "description": "UTF-8 view key."}


def _avro_message(model: type[BaseModel]) -> dict[str, Any]:
    schema = schema_for(model)
    subject = schema_fullname(model)
    message: dict[str, Any] = {
        "name": model.__name__,
        "title": message_id(model),
        "summary": _summary(model),
        "description": f"{WIRE_FORMAT} Subject: `{subject}`.",
        "contentType": AVRO_CONTENT_TYPE,
        "payload": {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": schema},
        "bindings": {
            "kafka": {
                "key": _key_schema(model),
                "schemaIdLocation": "payload",
                "schemaIdPayloadEncoding": "confluent",
                "schemaLookupStrategy": "RecordNameStrategy",
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-kcr-subject": subject,
    }
    if issubclass(model, EventEnvelope):
        message["headers"] = ce_headers_schema(model.declared_type())
        message["correlationId"] = {
            "description": "Shared by every event of one conversation or crisis.",
            "location": "$message.header#/ce_correlationid",
        }
        message["x-kcr-event-type"] = model.declared_type()
    return message


def _deadletter_message() -> dict[str, Any]:
    return {
        "name": "DeadLetter",
        "title": DEADLETTER_MESSAGE,
        "summary": "An ingress record the gateway refused: original key, value and headers.",
        "description": "The value is the original bytes, unchanged; kcr_reason says why.",
        "headers": deadletter_headers_schema(),
        "payload": {"type": "string", "format": "binary", "description": "The original value."},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original key, unchanged."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _schema_record_message() -> dict[str, Any]:
    return {
        "name": "SchemaRegistryRecord",
        "title": SCHEMA_RECORD_MESSAGE,
        "summary": "The schema registry's own storage; partners use its REST API instead.",
        "description": (
            "Written and read only by the hub's schema registry, in the layout of Confluent's "
            "_schemas topic: a JSON key (keytype SCHEMA, CONFIG or DELETE_SUBJECT) and a JSON "
            "value, so compaction keeps the current state."
        ),
        "contentType": "application/json",
        "payload": {"type": ["object", "null"], "description": "JSON value; null: tombstone."},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "JSON key naming what it replaces."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _ownership_record_message() -> dict[str, Any]:
    return {
        "name": "OwnershipRecord",
        "title": OWNERSHIP_RECORD_MESSAGE,
        "summary": "The organisation that created an aggregate; the gateway's alone.",
        "description": (
            "Written in the gateway's transaction with the event that creates or ends an "
            "aggregate, read back fully when the gateway starts (hub/gateway/ownership.py)."
        ),
        "contentType": "application/json",
        "payload": {
            "type": ["object", "null"],
            "description": "owner, created_at, ended_at; null: a tombstone (owner forgotten).",
        },
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": "Aggregate kind and ids, e.g. 'incident inc-1'.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def message_components() -> dict[str, dict[str, Any]]:
    """Return every message of the document by id, for ``components.messages``."""
    messages = {message_id(model): _avro_message(model) for model in hub_models()}
    messages[DEADLETTER_MESSAGE] = _deadletter_message()
    messages[SCHEMA_RECORD_MESSAGE] = _schema_record_message()
    messages[OWNERSHIP_RECORD_MESSAGE] = _ownership_record_message()
    return messages
