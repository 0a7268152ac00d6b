"""Settings read from the environment (``KCR_`` prefix), grouped in one model."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.topics.declaration import TopicNames

__all__ = ["MAX_IMPORT_BYTES", "Settings", "load_settings"]

MAX_IMPORT_BYTES = 1024 * 1024
"""Default of ``KCR_MAX_IMPORT_BYTES``: one size limit for files, watched files, bridge bodies."""


class Settings(BaseSettings):
    """Where the hub finds Kafka, the schema registry and its data directory."""

    model_config = SettingsConfigDict(
        env_prefix="KCR_", frozen=True, extra="ignore", populate_by_name=True
    )

    bootstrap: str = Field(
        default="127.0.0.1:19092",
        description="Kafka bootstrap servers, host:port[,host:port...].",
    )
    data_dir: Path = Field(
        default=Path(".kcr"),
        description="Where the local broker keeps jars, data, logs and its pid file.",
    )
    jars_dir: Path | None = Field(
        default=None,
        description="Where the Kafka jars are copied; defaults to <data_dir>/jars.",
    )
    topic_prefix: str = Field(
        default="kcr",
        pattern=r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$",
        description="First part of every hub topic name (tests use their own).",
    )
    gateway_instance: str = Field(
        default="0",
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="This gateway's instance name, part of its transactional id: unique per "
        "running gateway, stable across its restarts (a StatefulSet pod name, gateway-1).",
    )
    escalation_file: Path | None = Field(
        default=None,
        description="A TOML file with escalation thresholds replacing the packaged ones.",
    )
    registry_url: str = Field(
        default="http://127.0.0.1:18081",
        description="Confluent-compatible schema registry REST endpoint.",
    )
    bridge_host: str = Field(
        default="127.0.0.1",
        description="Address the REST/webhook bridge (`kcr bridge`, `kcr run`) listens on.",
    )
    bridge_port: int = Field(
        default=18080, ge=0, le=65535, description="Port of the REST/webhook bridge (0: any)."
    )
    bridge_keys_file: Path | None = Field(
        default=None,
        description="The bridge's API keys (hashed, JSON); default <data_dir>/bridge-keys.json.",
    )
    bridge_config_file: Path | None = Field(
        default=None,
        description="The bridge's webhooks and retry policy (TOML); defaults to "
        "<data_dir>/bridge.toml (absent: no webhooks).",
    )
    max_import_bytes: int = Field(
        default=MAX_IMPORT_BYTES,
        gt=0,
        validation_alias=AliasChoices("KCR_MAX_IMPORT_BYTES", "KCR_BRIDGE_MAX_BODY_BYTES"),
        description="Largest partner document accepted, checked before parsing: a "
        "`kcr connect` file, a watched file (rejected/) or a bridge request body (413). "
        "KCR_BRIDGE_MAX_BODY_BYTES, its name before, is still read when this is not set.",
    )
    bridge_header_timeout_s: float = Field(
        default=10.0, gt=0, description="Time a bridge request's headers may take to arrive (408)."
    )
    bridge_body_timeout_s: float = Field(
        default=30.0, gt=0, description="Time a bridge request's whole body may take (408)."
    )
    bridge_max_connections_per_peer: int = Field(
        default=32, gt=0, description="Open bridge connections per client address (more: 503)."
    )
    bridge_max_requests_per_org: int = Field(
        default=16, gt=0, description="Bridge requests in flight per organisation (more: 429)."
    )
    dashboard_port: int = Field(
        default=18090, ge=0, le=65535, description="Port of the dashboard web page (0: any)."
    )

    security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] | None = Field(
        default=None,
        description="Kafka security protocol; default SASL_PLAINTEXT when credentials are set, "
        "else PLAINTEXT.",
    )
    sasl_mechanism: str = Field(
        default="SCRAM-SHA-512", description="SASL mechanism of the Kafka clients."
    )
    sasl_username: str | None = Field(
        default=None, description="SASL user of every Kafka client of this process."
    )
    sasl_password: SecretStr | None = Field(
        default=None, description="Password of KCR_SASL_USERNAME."
    )
    credentials_file: Path | None = Field(
        default=None,
        description="A credentials.json of a secure broker: each service of `kcr run` logs in "
        "as its own user from it; other commands as KCR_SASL_USERNAME, else admin.",
    )

    @field_validator("bootstrap")
    @classmethod
    def _bootstrap_has_ports(cls, value: str) -> str:
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                msg = (
                    f"KCR_BOOTSTRAP entry {server!r} is not host:port (for example 127.0.0.1:19092)"
                )
                raise ValueError(msg)
        return value

    @cached_property
    def first_server(self) -> tuple[str, int]:
        """The host and port of the first bootstrap server (where a local broker listens)."""
        host, _, port = self.bootstrap.split(",")[0].strip().rpartition(":")
        return host, int(port)

    @property
    def topics(self) -> TopicNames:
        """The names of the hub's topics under :attr:`topic_prefix`."""
        return TopicNames(self.topic_prefix)

    @property
    def resolved_bridge_keys_file(self) -> Path:
        """The bridge's key file."""
        return self.bridge_keys_file or self.data_dir / "bridge-keys.json"

    @property
    def resolved_bridge_config_file(self) -> Path:
        """The bridge's webhook and retry file."""
        return self.bridge_config_file or self.data_dir / "bridge.toml"

    @property
    def resolved_jars_dir(self) -> Path:
        """The folder holding the Kafka jars."""
        return self.jars_dir if self.jars_dir is not None else self.data_dir / "jars"


def load_settings() -> Settings:
    """Read the settings from the environment."""
    return Settings()
