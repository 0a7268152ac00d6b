"""The dashboard's configuration: where it listens, the bridge's keys, its session secret."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.settings import Settings
from hub.topics.declaration import TopicNames

__all__ = ["DashboardConfig"]


@dataclass(frozen=True)
class DashboardConfig:
    """Everything the dashboard needs (port 0: any free port)."""

    bootstrap: str
    registry_url: str
    keys_file: Path
    secret_file: Path
    names: TopicNames = field(default_factory=TopicNames)
    host: str = "127.0.0.1"
    port: int = 18090
    keepalive_s: float = 15.0
    secure_cookie: bool = False
    client_config: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> DashboardConfig:
        """The dashboard of ``settings``: the bridge's host and keys, ``KCR_DASHBOARD_PORT``."""
        from hub.kafka.clients import client_options

        return cls(
            bootstrap=settings.bootstrap,
            registry_url=settings.registry_url,
            keys_file=settings.resolved_bridge_keys_file,
            secret_file=settings.data_dir / "dashboard-secret",
            names=settings.topics,
            host=settings.bridge_host,
            port=settings.dashboard_port,
            client_config=client_options(settings, service="dashboard"),
        )

    def url(self, port: int | None = None) -> str:
        """The page's URL, e.g. ``http://127.0.0.1:18090``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"
