"""The bridge's configuration: where it listens, its keys, and the webhooks it delivers to.

Webhooks and their retry policy come from a TOML file (``KCR_BRIDGE_CONFIG_FILE``, default
``$KCR_DATA_DIR/bridge.toml``; absent means no webhooks)::

    [retry]
    base_s = 1.0        # the first wait after a failed POST
    factor = 2.0        # each further wait is this many times longer
    max_tries = 6       # then the item is dead-lettered (reason webhook_failed)

    [webhooks.vr07]
    url = "https://meldkamer.vr07.example/kcr"
    secret = "..."      # the HMAC key of X-KCR-Signature
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.bridge.limits import BridgeLimits
from hub.errors import ConfigurationError
from hub.settings import MAX_IMPORT_BYTES, Settings
from hub.topics.declaration import TopicNames

__all__ = ["BridgeConfig", "RetryPolicy", "WebhookTarget", "load_bridge_file"]


class RetryPolicy(BaseModel):
    """Exponential backoff of webhook POSTs: waits base, base·factor, … for max_tries tries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_s: float = Field(default=1.0, gt=0)
    factor: float = Field(default=2.0, ge=1)
    max_tries: int = Field(default=6, ge=1)
    timeout_s: float = Field(default=10.0, gt=0, description="Per POST.")

    def delay(self, attempt: int) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return float(self.base_s * self.factor ** (attempt - 1))


class WebhookTarget(BaseModel):
    """Where one organisation's outbox is POSTed, and the secret its signatures use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(pattern=r"^https?://")
    secret: str = Field(min_length=16)


class _BridgeFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    webhooks: dict[str, WebhookTarget] = Field(default_factory=dict)


def load_bridge_file(path: Path) -> tuple[RetryPolicy, dict[str, WebhookTarget]]:
    """Read the retry policy and webhooks of ``path`` (none if the file does not exist)."""
    if not path.exists():
        return RetryPolicy(), {}
    try:
        parsed = _BridgeFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise ConfigurationError(str(path), f"is not a valid bridge file: {error}") from error
    return parsed.retry, parsed.webhooks


@dataclass(frozen=True)
class BridgeConfig:
    """Everything the bridge needs (port 0: any free port)."""

    bootstrap: str
    registry_url: str
    keys_file: Path
    names: TopicNames = field(default_factory=TopicNames)
    host: str = "127.0.0.1"
    port: int = 18080
    max_body_bytes: int = MAX_IMPORT_BYTES
    keepalive_s: float = 15.0
    webhooks: Mapping[str, WebhookTarget] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    client_config: Mapping[str, Any] = field(default_factory=dict)
    limits: BridgeLimits = field(default_factory=BridgeLimits)

    @classmethod
    def from_settings(cls, settings: Settings) -> BridgeConfig:
        """The bridge of ``settings`` (``KCR_BRIDGE_*``), webhooks from its TOML file."""
        from hub.kafka.clients import client_options

        retry, webhooks = load_bridge_file(settings.resolved_bridge_config_file)
        return cls(
            bootstrap=settings.bootstrap,
            registry_url=settings.registry_url,
            keys_file=settings.resolved_bridge_keys_file,
            names=settings.topics,
            host=settings.bridge_host,
            port=settings.bridge_port,
            max_body_bytes=settings.max_import_bytes,
            webhooks=webhooks,
            retry=retry,
            client_config=client_options(settings, service="bridge"),
            limits=BridgeLimits(
                header_timeout_s=settings.bridge_header_timeout_s,
                body_timeout_s=settings.bridge_body_timeout_s,
                max_connections_per_peer=settings.bridge_max_connections_per_peer,
                max_requests_per_org=settings.bridge_max_requests_per_org,
            ),
        )

    def url(self, port: int | None = None) -> str:
        """The base URL, e.g. ``http://127.0.0.1:18080``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"
