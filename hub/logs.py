"""structlog, configured once: readable on a terminal, JSON lines elsewhere."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

__all__ = ["configure_logging", "get_logger"]

_configured = False


def configure_logging(
    level: str = "INFO", stream: TextIO | None = None, *, force: bool = False
) -> None:
    """Configure structlog and the standard library's logging, once per process.

    Output goes to ``stream`` (default stderr) as coloured key-value lines when it is a terminal
    and as one JSON object per line otherwise. Later calls are ignored unless ``force`` (say,
    to send the logs of ``kcr demo`` to a file while the terminal shows the summary).
    """
    global _configured
    if _configured and not force:
        return
    out = stream if stream is not None else sys.stderr
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer() if out.isatty() else structlog.processors.JSONRenderer()
    )
    numeric_level = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(
        level=logging.WARNING, stream=out, format="%(name)s %(message)s", force=force
    )
    _configured = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """Return a structlog logger bound to ``name``."""
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
