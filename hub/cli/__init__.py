"""The ``kcr`` command line."""
