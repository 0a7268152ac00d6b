"""XML schemas shipped with the connectors, loaded from the package (never from the network).

``CAP-v1.2.xsd`` is the OASIS Common Alerting Protocol 1.2 schema, unchanged.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lxml import etree

__all__ = ["CAP_1_2_XSD", "load_schema"]

CAP_1_2_XSD = "CAP-v1.2.xsd"
"""File name of the OASIS CAP 1.2 schema in this package."""


@cache
def load_schema(name: str) -> etree.XMLSchema:
    """Return the compiled schema ``name`` shipped in ``connectors/schemas/`` (cached)."""
    data = resources.files(__name__).joinpath(name).read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(data, parser))
