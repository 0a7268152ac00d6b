"""What every ``kcr`` command shares: the console, the settings, the local broker."""

from __future__ import annotations

from rich.console import Console

from hub.broker import LocalBroker
from hub.settings import Settings, load_settings

__all__ = ["console", "err_console", "local_broker", "settings"]

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    """The settings from the environment (read anew per command, cheap)."""
    return load_settings()


def local_broker(cfg: Settings | None = None) -> LocalBroker:
    """The local broker described by the settings (``KCR_BOOTSTRAP``, ``KCR_DATA_DIR``)."""
    cfg = cfg or settings()
    host, port = cfg.first_server
    return LocalBroker(cfg.data_dir / "kafka", cfg.resolved_jars_dir, host, port)
