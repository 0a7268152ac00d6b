"""Request bodies to hub events, every problem named: CloudEvents JSON, CAP, EDXL, HAVE, CSV.

CloudEvents documents are judged by :func:`hub.codec.structured.to_events` (the same code as
``kcr publish`` and the SDK), one document at a time so that every bad event of a batch is
reported; pydantic's errors become one :class:`FieldError` per field
(``event[3].data.grip_level``). A batch is all or nothing. A source that is not the key's
organisation is a 403; every other problem a 422.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from connectors.cap import CapRefused, CapSchemaError, cap_to_events
from connectors.csvimport import CsvHeaderError, CsvImport, csv_to_events
from connectors.edxl import EdxlRefused, import_edxl
from connectors.have import HaveRefused, HaveSchemaError, have_to_events
from hub.bridge.problems import BridgeProblem, FieldError
from hub.codec.structured import SourceMismatch, to_events
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.events.envelope import EventEnvelope
from hub.errors import ConfigurationError, HubError

__all__ = [
    "cap_events",
    "csv_import",
    "csv_row_problem",
    "edxl_events",
    "have_events",
    "json_events",
    "parse_json",
    "with_subject",
]

_PUBLISHER = "the API key's organisation"


def _field_errors(where: str, error: ValidationError) -> list[FieldError]:
    found = []
    for item in error.errors(include_url=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        fix = "add the field." if item["type"] == "missing" else "correct the value."
        found.append(FieldError(field=f"{where}{path}", message=item["msg"], fix=fix))
    return found


_Judged = tuple[list[EventEnvelope], list[FieldError]]


def _judge(document: Any, where: str, org: str, mismatched: list[str]) -> _Judged:
    if not isinstance(document, dict):
        return [], [FieldError(field=where, message="must be a JSON object", fix="send an object.")]
    try:
        return to_events(with_subject(document), org, publisher=_PUBLISHER), []
    except SourceMismatch as error:
        mismatched.append(where)
        return [], [FieldError(field=_rebase(error, where), message=_bare(error), fix=error.fix)]
    except ConfigurationError as error:
        if isinstance(error.__cause__, ValidationError):
            return [], _field_errors(where, error.__cause__)
        return [], [FieldError(field=_rebase(error, where), message=_bare(error), fix=error.fix)]
    except (HubError, ValueError) as error:  # unknown type, malformed envelope
        message = error.message if isinstance(error, HubError) else str(error)
        fix = error.fix if isinstance(error, HubError) else None
        return [], [FieldError(field=f"{where}.type", message=message, fix=fix)]


def with_subject(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with ``subject`` set from its aggregate id (``data.incident_id``) if absent.

    The id is then given once; a ``subject`` that is sent must still equal it.
    """
    event_type = document.get("type")
    data = document.get("data")
    model = EVENT_TYPES.get(event_type) if isinstance(event_type, str) else None
    if model is None or "subject" in document or not isinstance(data, dict):
        return document
    field = model.aggregate_field
    if field is None or not isinstance(data.get(field), str):
        return document
    return {**document, "subject": data[field]}


def parse_json(body: bytes) -> Any:
    """The JSON value of a request body; a 422 naming ``body`` if it is not JSON.

    Nesting too deep for the parser (``[[[[…]]]]`` some thousands deep, well under the size
    limit) raises ``RecursionError`` in :func:`json.loads`; it is bad input like any other.
    """
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = FieldError(field="body", message=f"is not JSON: {error}", fix="send JSON.")
        raise BridgeProblem(422, "invalid-json", "The body is not JSON.", [problem]) from error
    except RecursionError as error:
        problem = FieldError(
            field="body", message="is nested too deeply to parse", fix="flatten the JSON."
        )
        raise BridgeProblem(
            422, "invalid-json", "The JSON is nested too deeply.", [problem]
        ) from error


def json_events(payload: Any, org: str) -> list[EventEnvelope]:
    """Validate a CloudEvents document or batch from ``org``; raise 403/422 problems."""
    batch = isinstance(payload, list)
    if batch and not payload:
        problem = FieldError(field="event", message="the batch is empty", fix="send an event.")
        raise BridgeProblem(422, "invalid-event", "The batch holds no event.", [problem])
    events: list[EventEnvelope] = []
    errors: list[FieldError] = []
    mismatched: list[str] = []
    for index, document in enumerate(payload if batch else [payload]):
        good, bad = _judge(document, f"event[{index}]" if batch else "event", org, mismatched)
        events += good
        errors += bad
    if errors and len(mismatched) == len(errors):
        raise BridgeProblem(403, "source-not-yours", f"Events must have source {org!r}.", errors)
    if errors:
        raise BridgeProblem(422, "invalid-event", f"{len(errors)} invalid field(s).", errors)
    return events


def cap_events(xml: bytes, org: str) -> list[EventEnvelope]:
    """The incident event of a CAP 1.2 alert from ``org``; 422 naming lines or the reason."""
    try:
        return list(cap_to_events(xml, source_org=org).events)
    except CapSchemaError as error:
        errors = [
            FieldError(field=f"line[{v.line}].column[{v.column}]", message=v.message)
            for v in error.violations
        ]
        raise BridgeProblem(422, "invalid-cap", "Not valid CAP 1.2.", errors) from error
    except (CapRefused, ValueError) as error:
        raise _refused("invalid-cap", "alert", error) from error


def edxl_events(xml: bytes, org: str) -> list[EventEnvelope]:
    """Every event of an EDXL-DE distribution or bare EDXL-RM message; a refused part refuses all.

    The same mapping as ``kcr connect edxl`` (:func:`connectors.edxl.import_edxl`). A refused
    payload is named ``payload[i]``, a refused item of a bare RM message ``message``.
    """
    try:
        imported = import_edxl(xml, source_org=org)
    except (EdxlRefused, ValueError) as error:
        raise _refused("invalid-edxl", "distribution", error) from error
    if imported.refusals:
        errors = [
            FieldError(
                field="message" if r.index is None else f"payload[{r.index}]",
                message=f"{r.message} ({r.reason})",
            )
            for r in imported.refusals
        ]
        detail = "Parts refused; nothing was published."
        raise BridgeProblem(422, "invalid-edxl", detail, errors)
    if not imported.events:
        raise BridgeProblem(422, "invalid-edxl", "The message holds no hub event.")
    return list(imported.events)


def have_events(xml: bytes, org: str) -> list[EventEnvelope]:
    """The capacity reports of an EDXL-HAVE document from ``org``; 422 naming fields or reason."""
    try:
        return list(have_to_events(xml, source_org=org, reported_at=datetime.now(UTC)).events)
    except HaveSchemaError as error:
        errors = [
            FieldError(field=v.field, message=v.message, fix=error.fix) for v in error.violations
        ]
        raise BridgeProblem(
            422, "invalid-have", "Not a valid EDXL-HAVE document.", errors
        ) from error
    except (HaveRefused, ValueError) as error:
        raise _refused("invalid-have", "document", error) from error


def csv_import(data: bytes, org: str) -> CsvImport:
    """The capacity events and row errors of a CSV list from ``org``; a bad header is a 422."""
    try:
        return csv_to_events(data, source_org=org, reported_at=datetime.now(UTC))
    except CsvHeaderError as error:
        errors = [FieldError(field="line[1]", message=error.message, fix=error.fix)]
        raise BridgeProblem(422, "invalid-csv", "The CSV header is wrong.", errors) from error
    except ValueError as error:
        raise _refused("invalid-csv", "file", error) from error


def csv_row_problem(imported: CsvImport, published: list[str]) -> BridgeProblem:
    """The 422 of a CSV list with bad rows: each by line, and the ids of the good rows sent."""
    errors = [
        FieldError(
            field=f"line[{e.line}]" + (f".{e.field}" if e.field else ""),
            message=e.message,
            fix=e.fix or None,
        )
        for e in imported.errors
    ]
    detail = f"{len(errors)} row problem(s); the {len(published)} good row(s) were published."
    return BridgeProblem(422, "invalid-csv-rows", detail, errors, published=published)


def _refused(slug: str, where: str, error: Exception) -> BridgeProblem:
    message = error.message if isinstance(error, HubError) else str(error)
    fix = error.fix if isinstance(error, HubError) else None
    field = FieldError(field=where, message=message, fix=fix)
    return BridgeProblem(422, slug, message, [field])


def _bare(error: ConfigurationError) -> str:
    return error.message.removeprefix(f"{error.field}: ")


def _rebase(error: ConfigurationError, where: str) -> str:
    """``event.source`` of a single document as ``event[3].source`` at its place in a batch."""
    return where + error.field.removeprefix("event")
