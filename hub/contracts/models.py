"""Every model the hub writes to Kafka, and its Avro schema: one place for the codec to ask.

Partner events (the catalogue, including the hub's clock tick) live in ``kcr.log.*``; outputs
(escalation and workflow events) and view records live in the hub's output topics.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from hub.contracts.avro_schema import avro_schema_for
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.outputs import OUTPUT_TYPES, VIEW_MODELS, output_namespace

__all__ = ["hub_models", "is_log_event", "schema_for"]


def hub_models() -> tuple[type[BaseModel], ...]:
    """Return every model with an Avro schema: log events, outputs, then view records."""
    views = tuple(model for _, model in VIEW_MODELS.values())
    return (*EVENT_TYPES.values(), *OUTPUT_TYPES.values(), *views)


def is_log_event(model: type[BaseModel]) -> bool:
    """Return whether ``model`` is an event type of the log (the catalogue)."""
    return model in set(EVENT_TYPES.values())


@cache
def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """Return the Avro schema of ``model`` (outputs in their own namespaces)."""
    if is_log_event(model):
        return avro_schema_for(model)
    return avro_schema_for(model, namespace=output_namespace(model))
