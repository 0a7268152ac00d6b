"""The pieces of the bridge's OpenAPI document, reusable by every route.

- :func:`json_body`, :func:`xml_body`, :func:`csv_body`: ``openapi_extra`` request bodies with
  their media types, schema and an example that works with any organisation's key (no
  ``source``: the bridge fills in the key's organisation);
- :func:`statuses`: the problem-details responses a route really answers;
- :data:`LAST_EVENT_ID`: the format of the outbox's resume header;
- :func:`install`: adds the component schemas (the CloudEvents schemas of
  :mod:`hub.bridge.event_schema` and any others) to the app's document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hub.bridge.event_schema import event_components
from hub.bridge.problems import problem_responses
from hub.bridge.sse import EVENT_ID_PATTERN

__all__ = [
    "LAST_EVENT_ID",
    "PUBLISH_STATUSES",
    "csv_body",
    "install",
    "json_body",
    "ref",
    "statuses",
    "xml_body",
]

LAST_EVENT_ID: dict[str, Any] = {
    "name": "Last-Event-ID",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": EVENT_ID_PATTERN},
    "description": (
        "The `id` of the last server-sent event received, sent back as it came: the last "
        "delivered offset of every partition, `<partition>-<offset>` joined by commas "
        "(`0-41` or `0-41,1-7`). The stream resumes after it; partitions it does not name "
        "start at their beginning. Anything else is a 400 naming `Last-Event-ID`."
    ),
    "examples": {"one partition": {"value": "0-41"}, "two partitions": {"value": "0-41,1-7"}},
}

PUBLISH_STATUSES = (401, 403, 408, 413, 415, 422, 429, 503)
"""What every publishing route may answer besides 202: key (401), not yours (403), body too
slow (408), too large (413), wrong content type (415), invalid (422), too many requests in
flight (429), Kafka unavailable (503)."""


def ref(name: str) -> dict[str, str]:
    """A reference to component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def statuses(*codes: int) -> dict[int | str, dict[str, object]]:
    """The ``responses`` entries of problem-details answers with ``codes``."""
    return problem_responses(*codes)


def _body(content: Mapping[str, dict[str, Any]], description: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "description": description, "content": content}}


def json_body(
    media_types: Sequence[str],
    schemas: Mapping[str, dict[str, Any]],
    examples: Mapping[str, Any],
    description: str,
) -> dict[str, Any]:
    """A JSON request body: ``schemas`` per media type, the same ``examples`` for each."""
    content = {
        media_type: {
            "schema": schemas[media_type],
            "examples": {name: {"value": value} for name, value in examples.items()},
        }
        for media_type in media_types
    }
    return _body(content, description)


def xml_body(
    media_types: Sequence[str], root: str, namespace: str, xsd: str | None, example: str
) -> dict[str, Any]:
    """An XML request body: a document whose root is ``root`` in ``namespace``, per ``xsd``.

    JSON Schema cannot describe XML documents; the schema says it is XML text and names the
    standard's XSD, which the bridge validates against. ``xsd`` None: the bridge checks the
    document's structure itself (no official XSD is shipped), and the schema says so.
    """
    rule = (
        f"valid against {xsd}"
        if xsd
        else "its structure checked by the hub (elements, counts, times)"
    )
    schema: dict[str, Any] = {
        "type": "string",
        "format": "xml",
        "contentMediaType": media_types[0],
        "description": f"An XML document with root `{root}` in `{namespace}`, {rule}.",
    }
    if xsd:
        schema["externalDocs"] = {"url": xsd}
    content = {media_type: {"schema": schema, "example": example} for media_type in media_types}
    return _body(content, f"A `{root}` document ({namespace}).")


def csv_body(
    media_types: Sequence[str],
    columns: Mapping[str, str],
    required: Sequence[str],
    example: str,
) -> dict[str, Any]:
    """A CSV request body: a header line naming ``columns`` (described), then one row each."""
    described = "; ".join(
        f"`{name}`{' (required)' if name in required else ''}: {text}"
        for name, text in columns.items()
    )
    schema = {
        "type": "string",
        "contentMediaType": "text/csv",
        "description": f"UTF-8 CSV, header line first, one row per report. Columns: {described}",
        "x-kcr-columns": [
            {"name": name, "required": name in required, "description": text}
            for name, text in columns.items()
        ],
    }
    content = {media_type: {"schema": schema, "example": example} for media_type in media_types}
    return _body(content, "A capacity list, one report per row.")


def install(app: FastAPI, components: Mapping[str, dict[str, Any]] | None = None) -> None:
    """Make ``app``'s document include the CloudEvents schemas and ``components``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(event_components())
            schemas.update(components or {})
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
