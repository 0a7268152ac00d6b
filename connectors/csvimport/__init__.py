"""Capacity lists as regions keep them in spreadsheets (CSV) → ``capacity.reported`` events.

:func:`csv_to_events` returns a :class:`CsvImport`: the events of the good rows and a
:class:`RowError` (line, field, message, fix) for every bad one; a wrong header raises
:class:`CsvHeaderError`. The layout is documented in :mod:`connectors.csvimport.columns`.
"""

from connectors.csvimport.columns import COLUMNS, HEADER, REQUIRED
from connectors.csvimport.errors import CsvHeaderError, RowError
from connectors.csvimport.reader import CsvImport, csv_to_events

__all__ = [
    "COLUMNS",
    "HEADER",
    "REQUIRED",
    "CsvHeaderError",
    "CsvImport",
    "RowError",
    "csv_to_events",
]
