"""schemathesis hooks for the bridge's text bodies (CSV, CAP): sent as the UTF-8 text generated.

Loaded by the in-process contract test and, through ``SCHEMATHESIS_HOOKS=tests.st_hooks``, by
the CLI run against a live bridge; schemathesis has no serializer of its own for these types.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.transport import SerializationContext

TEXT_TYPES = ("text/csv", "application/csv", "application/cap+xml")


@schemathesis.serializer(*TEXT_TYPES)
def text_body(ctx: SerializationContext, value: Any) -> bytes:
    """A CSV or CAP body: the generated text as UTF-8 bytes."""
    return value if isinstance(value, bytes) else str(value).encode()
