"""The request examples of the bridge's OpenAPI document, and what its XML and CSV bodies are.

Every example works with any organisation's key: none names a ``source`` (the bridge sets the
key's organisation), ids and times are filled in or are the sender's own. A unit test posts
each one with a key of an organisation the example does not mention.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

__all__ = [
    "CAP_NAMESPACE",
    "CAP_XSD",
    "CSV_COLUMNS",
    "EDXL_NAMESPACE",
    "EDXL_XSD",
    "EXAMPLE_CAP",
    "EXAMPLE_CSV",
    "EXAMPLE_EDXL",
    "EXAMPLE_EVENT",
]

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_XSD = "https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd"
EDXL_NAMESPACE = "urn:oasis:names:tc:emergency:EDXL:DE:1.0 (or EDXL:DE:2.0, or bare EDXL-RM)"
EDXL_XSD = "https://docs.oasis-open.org/emergency/edxl-de/v2.0/edxl-de-v2.0.html"

EXAMPLE_EVENT: dict[str, Any] = {
    "specversion": "1.0",
    "type": "nl.kcr.incident.reported",
    "tlp": "GREEN",
    "data": {
        "incident_id": "inc-example-0001",
        "category": "flood",
        "title": "Dijkdoorbraak bij Kruiningen",
        "description": "De Westerscheldedijk is over 40 meter bezweken.",
        "regions": ["vr19"],
        "grip_level": "3",
        "severity": "severe",
        "started_at": "2026-11-27T03:40:00Z",
    },
}
"""An incident report: no ``id``, ``time``, ``source`` or ``subject``, all filled in."""

_CAP_INFO = """  <info>
    <language>nl-NL</language>
    <category>Met</category>
    <event>Hoogwater</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <headline>Hoogwater Westerschelde</headline>
    <area>
      <areaDesc>Zeeland</areaDesc>
      <geocode><valueName>veiligheidsregio</valueName><value>VR19</value></geocode>
    </area>
  </info>"""


def _cap_alert(identifier: str) -> str:
    """A CAP 1.2 alert for safety region Zeeland with ``identifier``."""
    return f"""<alert xmlns="{CAP_NAMESPACE}">
  <identifier>{identifier}</identifier>
  <sender>lms@example.nl</sender>
  <sent>2026-11-27T05:00:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
{_CAP_INFO}
</alert>"""


EXAMPLE_CAP = f"""<?xml version="1.0" encoding="UTF-8"?>
{_cap_alert("example-2026-0001")}
"""
"""A CAP 1.2 alert for safety region Zeeland."""

EXAMPLE_EDXL = f"""<?xml version="1.0" encoding="UTF-8"?>
<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">
  <distributionID>example-de-2026-0001</distributionID>
  <senderID>lms@example.nl</senderID>
  <dateTimeSent>2026-11-27T05:00:00+01:00</dateTimeSent>
  <distributionStatus>Actual</distributionStatus>
  <distributionType>Report</distributionType>
  <combinedConfidentiality>UNCLASSIFIED</combinedConfidentiality>
  <contentObject>
    <xmlContent>
      <embeddedXMLContent>{_cap_alert("example-2026-0002")}</embeddedXMLContent>
    </xmlContent>
  </contentObject>
</EDXLDistribution>
"""
"""An EDXL-DE 1.0 distribution carrying one CAP alert."""

EXAMPLE_CSV = (
    "resource_type,total,available,committed,valid_until,location,note\n"
    "pump,12,8,2,2099-12-31T18:00:00+01:00,Kazerne Middelburg,\n"
)
"""A capacity list of one row."""

CSV_COLUMNS = MappingProxyType(
    {
        "resource_type": "a hub resource type code, e.g. `pump` (Dutch header: `middel`)",
        "total": "whole number of units in total (`totaal`)",
        "available": "whole number deployable now, at most total (`beschikbaar`)",
        "committed": "whole number already promised, default 0; available + committed <= total "
        "(`ingezet`)",
        "valid_until": "RFC 3339 with an offset, or a local time as Excel writes it "
        "(`2026-11-27 18:00`, `27-11-2026`), Europe/Amsterdam (`geldig_tot`)",
        "region": "safety region if not the key's own, e.g. `vr19`",
        "location": "place name (`locatie`)",
        "lat": "latitude, WGS84 (with lon)",
        "lon": "longitude, WGS84 (with lat)",
        "note": "remarks (`opmerking`)",
    }
)
"""The capacity CSV columns (header names, any order, case-insensitive) and what each holds."""
