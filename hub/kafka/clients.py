"""aiokafka client options derived from the settings (security options join here later)."""

from __future__ import annotations

from typing import Any

from hub.settings import Settings

__all__ = ["client_options"]


def client_options(settings: Settings) -> dict[str, Any]:
    """Return the keyword options every aiokafka client of this process needs."""
    del settings  # plaintext for now; SASL credentials are added by the security work
    return {}
