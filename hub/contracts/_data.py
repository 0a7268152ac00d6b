"""Read the JSON data files packaged with the contracts."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["read_json"]


def read_json(name: str) -> dict[str, Any]:
    """Return the JSON object ``hub/contracts/data/<name>`` without its ``$comment`` keys."""
    text = resources.files("hub.contracts").joinpath("data", name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return {key: value for key, value in document.items() if not key.startswith("$")}
