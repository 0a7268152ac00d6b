"""The hub's AsyncAPI 3.0.0 document, generated from the topics, the registry and the schemas.

Nothing in it is maintained by hand: channels come from :func:`hub.topics.declared_topics`,
operations from the organisation registry's roles, messages from the Avro schemas of the
pydantic contracts, TLP rules from the router's settings. ``kcr asyncapi`` writes it.
"""

from hub.asyncapi.document import (
    ASYNCAPI_VERSION,
    build_document,
    format_of,
    render_document,
    write_document,
)
from hub.asyncapi.errors import UndescribedTopic, UnsupportedFormat

__all__ = [
    "ASYNCAPI_VERSION",
    "UndescribedTopic",
    "UnsupportedFormat",
    "build_document",
    "format_of",
    "render_document",
    "write_document",
]
