"""The past of the hub: reading, replaying, rebuilding, archiving and analysing the event log.

:mod:`~hub.history.replay` runs the live projection over the log (``kcr replay``),
:mod:`~hub.history.timetravel` stops it at a moment, :mod:`~hub.history.rebuild` republishes
the views it computes (``--rebuild``), :mod:`~hub.history.readers` reads the published views
back, :mod:`~hub.history.archive` writes and reads Avro archives of the log (``kcr export``)
and :mod:`~hub.history.analysis` turns a crisis into plotted series and a report. Log reads go
through :mod:`hub.kafka.history_reader`.
"""
