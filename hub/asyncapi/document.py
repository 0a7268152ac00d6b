"""The AsyncAPI 3.0.0 document of every hub topic, assembled, rendered and written."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from hub.asyncapi.channels import channel_object, plan_channels
from hub.asyncapi.errors import UnsupportedFormat
from hub.asyncapi.messages import message_components
from hub.asyncapi.operations import operation_objects
from hub.asyncapi.servers import info_description, security_schemes, servers
from hub.asyncapi.tlp import tlp_extension
from hub.codec.headers import AVRO_CONTENT_TYPE
from hub.contracts.organisations import load_registry
from hub.topics.declaration import TopicNames

__all__ = ["ASYNCAPI_VERSION", "build_document", "format_of", "render_document", "write_document"]

ASYNCAPI_VERSION = "3.0.0"
"""The AsyncAPI version of the generated document."""


def _version() -> str:
    try:
        return metadata.version("kcr-hub")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def build_document(prefix: str = "kcr") -> dict[str, Any]:
    """Return the AsyncAPI document of every topic of a hub whose topics start with ``prefix``."""
    registry = load_registry()
    plans = plan_channels(registry, TopicNames(prefix))
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": f"urn:nl:kcr:hub:{prefix}",
        "info": {
            "title": "KCR hub",
            "version": _version(),
            "description": info_description(registry),
            "license": {
                "name": "EUPL-1.2",
                "url": "https://interoperable-europe.ec.europa.eu/collection/eupl",
            },
        },
        "defaultContentType": AVRO_CONTENT_TYPE,
        "servers": servers(),
        "channels": {plan.id: channel_object(plan, registry) for plan in plans},
        "operations": operation_objects(plans, registry),
        "components": {
            "messages": message_components(),
            "securitySchemes": security_schemes(),
        },
        "x-kcr-tlp": tlp_extension(registry),
    }


def format_of(path: Path) -> str:
    """Return ``json`` or ``yaml`` for ``path`` by its extension; raise UnsupportedFormat."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    raise UnsupportedFormat(str(path))


def render_document(document: dict[str, Any], fmt: str = "json") -> str:
    """Return ``document`` as JSON (indented) or YAML text, ending in a newline."""
    if fmt == "yaml":
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_document(document: dict[str, Any], path: Path) -> None:
    """Write ``document`` to ``path`` in the format its extension names."""
    text = render_document(document, format_of(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
