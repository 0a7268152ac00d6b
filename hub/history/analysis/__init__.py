"""Analysis of a crisis after the fact: log events as plain records, plotted series, a report.

:mod:`hub.history.analysis.records` loads events from the log or an archive into
:class:`LogEvent` dataclasses; :mod:`hub.history.analysis.series` takes the plotted series from
a replay (the same projection the live hub runs); :mod:`hub.history.analysis.report` writes the
PNG plots and their data.
"""

from hub.history.analysis.records import (
    LogEvent,
    events_from_archive,
    read_log_items,
    to_log_events,
)
from hub.history.analysis.series import CapacityPoint, GripPoint, SignalSpan, report_series

__all__ = [
    "CapacityPoint",
    "GripPoint",
    "LogEvent",
    "SignalSpan",
    "events_from_archive",
    "read_log_items",
    "report_series",
    "to_log_events",
]
