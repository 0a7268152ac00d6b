"""Tables from partners' resource names to the hub's resource types, kept as package data.

EDXL-RM resource names and EDXL-HAVE bed types are looked up in JSON tables shipped with their
connector. A table naming a resource type the reference data does not know is refused when
loaded (a packaging error, never a partner's), and every hub code also maps to itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from importlib import resources
from types import MappingProxyType

from hub.contracts.reference import load_reference

__all__ = ["load_resource_table"]


def load_resource_table(
    package: str, filename: str, key: str, normal: Callable[[str], str]
) -> Mapping[str, str]:
    """Return ``package``'s ``data/<filename>`` table under ``key``, names made ``normal``.

    Raises ``ValueError`` naming the file and the resource types it names that are unknown.
    """
    path = resources.files(package).joinpath("data", filename)
    table: dict[str, str] = json.loads(path.read_text("utf-8"))[key]
    codes = load_reference().resource_codes()
    unknown = sorted(code for code in table.values() if code not in codes)
    if unknown:
        raise ValueError(f"{filename} names unknown resource types: {unknown}")
    named = {normal(name): code for name, code in table.items()}
    return MappingProxyType(named | {normal(code): code for code in codes})
