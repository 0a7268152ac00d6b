"""KCR hub: the event-sourced national crisis information hub of the Dutch safety regions."""

__version__ = "0.1.0"
