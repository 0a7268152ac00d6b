"""OASIS EDXL-HAVE in: hospital availability (bed capacity, emergency department, operations).

:func:`have_to_events` reads an EDXL-HAVE 2.0 (or 1.0) document and returns one
``capacity.reported`` event per hub bed type (:class:`HaveImport`), or raises
:class:`HaveRefused` with a reason code (:data:`REASONS`). The structure checks are in
:mod:`connectors.have.reader`, the mapping choices in :mod:`connectors.have.mapping`.
"""

from connectors.have.errors import REASONS, HaveRefused, HaveSchemaError, Violation
from connectors.have.mapping import (
    DEFAULT_VALID_FOR,
    HaveImport,
    bed_resource_type,
    have_to_events,
)
from connectors.have.reader import HAVE_1_0_NS, HAVE_2_0_NS, BedCount, Facility, read_have

__all__ = [
    "DEFAULT_VALID_FOR",
    "HAVE_1_0_NS",
    "HAVE_2_0_NS",
    "REASONS",
    "BedCount",
    "Facility",
    "HaveImport",
    "HaveRefused",
    "HaveSchemaError",
    "Violation",
    "bed_resource_type",
    "have_to_events",
    "read_have",
]
