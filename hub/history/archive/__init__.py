"""Archives of the event log: Avro Object Container Files any Avro reader opens.

:mod:`hub.history.archive.schema` defines the file's record schema,
:mod:`hub.history.archive.export` writes an archive from the log,
:mod:`hub.history.archive.reader` reads one back (no broker, no registry).
"""
