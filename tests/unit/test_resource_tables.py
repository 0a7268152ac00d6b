"""The partners' resource-name tables: checked against reference data, codes map to themselves."""

from __future__ import annotations

from connectors.edxl.rm import resource_type_for
from connectors.have.mapping import bed_resource_type


def test_hub_codes_map_to_themselves_in_both_tables() -> None:
    """A partner who writes the hub's own code (icu_bed) is understood by RM and HAVE alike."""
    assert resource_type_for("icu_bed") == "icu_bed"
    assert bed_resource_type("icu_bed") == "icu_bed"


def test_partner_names_map_through_their_table() -> None:
    """HAVE's AdultICU is an icu_bed."""
    assert bed_resource_type("AdultICU") == "icu_bed"
