"""CloudEvents 1.0 Kafka protocol binding, binary mode: the envelope as ``ce_*`` headers.

CloudEvents tooling (the ``cloudevents`` SDK, Knative, …) reads these without the hub's code; the
Avro value carries the same envelope, so the headers are a convenience, never the only copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from hub.contracts.events.envelope import EventEnvelope

__all__ = [
    "AVRO_CONTENT_TYPE",
    "DATASCHEMA_PATH",
    "Headers",
    "dataschema_url",
    "header_map",
    "to_ce_headers",
]

AVRO_CONTENT_TYPE = "application/avro"
Headers = list[tuple[str, bytes]]
DATASCHEMA_PATH = "/schemas/ids/{id}"
"""Where Confluent-compatible registries (Confluent, Apicurio's ccompat API, Karapace) serve a
schema by id: ``ce_dataschema`` is the registry URL followed by this path."""


def dataschema_url(registry_url: str, schema_id: int) -> str:
    """The ``ce_dataschema`` URI of writer schema ``schema_id`` in the registry at ``registry_url``.

    ``GET`` on it answers ``{"schema": "<Avro schema JSON>"}``, so a CloudEvents-only consumer
    finds the schema of a record without knowing the Confluent framing.
    """
    return registry_url.rstrip("/") + DATASCHEMA_PATH.format(id=schema_id)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_ce_headers(event: EventEnvelope, dataschema: str | None = None) -> Headers:
    """Return the binary-mode CloudEvents headers of ``event`` (``ce_`` prefix, UTF-8 values)."""
    attributes: dict[str, str | None] = {
        "ce_specversion": "1.0",
        "ce_id": event.id,
        "ce_source": event.source,
        "ce_type": event.type,
        "ce_subject": event.subject,
        "ce_time": _rfc3339(event.time),
        "ce_dataschema": dataschema,
        "ce_tlp": event.tlp.value,
        "ce_correlationid": event.correlationid,
        "ce_causationid": event.causationid,
        "ce_recipients": ",".join(event.recipients) or None,
        "ce_ingestedat": _rfc3339(event.ingested_at) if event.ingested_at else None,
        "content-type": AVRO_CONTENT_TYPE,
    }
    return [(key, value.encode()) for key, value in attributes.items() if value is not None]


def header_map(
    headers: Iterable[tuple[str, bytes]],
) -> dict[str, str]:
    """Decode record headers into a dict (last value wins; undecodable bytes are replaced)."""
    return {key: (value or b"").decode("utf-8", errors="replace") for key, value in headers}


def merge_headers(base: Headers, extra: Mapping[str, str]) -> Headers:
    """Return ``base`` with the ``extra`` headers appended (values UTF-8 encoded)."""
    return [*base, *((key, value.encode()) for key, value in extra.items())]
