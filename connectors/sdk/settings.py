"""The settings of one organisation's hub client, grouped in one small model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hub.contracts.fields import OrgId
from hub.settings import Settings
from hub.topics.declaration import TopicNames

__all__ = ["ClientSettings", "SaslCredentials"]


class SaslCredentials(BaseModel):
    """The organisation's SASL login on the broker (SCRAM by default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(min_length=1, description="SASL user, usually the organisation id.")
    password: SecretStr = Field(description="SASL password (never printed).")
    mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        default="SCRAM-SHA-512", description="SASL mechanism."
    )
    security_protocol: Literal["SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="SASL_PLAINTEXT", description="SASL over plain TCP or over TLS."
    )


class ClientSettings(BaseModel):
    """Where the hub is and who the client is: everything :class:`HubClient` needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bootstrap: str = Field(min_length=1, description="Kafka bootstrap servers, host:port,...")
    org: OrgId = Field(description="The organisation this client publishes and receives for.")
    registry_url: str = Field(min_length=1, description="Schema registry REST endpoint.")
    topic_prefix: str = Field(default="kcr", description="First part of every hub topic name.")
    sasl: SaslCredentials | None = Field(default=None, description="SASL login, if required.")
    group_id: str | None = Field(
        default=None, description="Outbox consumer group; default '<prefix>.connector.<org>'."
    )

    @classmethod
    def from_hub_settings(cls, settings: Settings, org: str, **extra: Any) -> ClientSettings:
        """Return the client settings of ``org`` for the hub the ``KCR_*`` ``settings`` name."""
        return cls(
            bootstrap=settings.bootstrap,
            org=org,
            registry_url=settings.registry_url,
            topic_prefix=settings.topic_prefix,
            **extra,
        )

    @property
    def topics(self) -> TopicNames:
        """The hub's topic names under :attr:`topic_prefix`."""
        return TopicNames(self.topic_prefix)

    @property
    def consumer_group(self) -> str:
        """The outbox consumer group: :attr:`group_id` or ``<prefix>.connector.<org>``."""
        return self.group_id or f"{self.topic_prefix}.connector.{self.org}"

    def kafka_options(self) -> dict[str, Any]:
        """Return the aiokafka keyword options for the broker connection (SASL if set)."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap}
        if self.sasl is not None:
            options |= {
                "security_protocol": self.sasl.security_protocol,
                "sasl_mechanism": self.sasl.mechanism,
                "sasl_plain_username": self.sasl.username,
                "sasl_plain_password": self.sasl.password.get_secret_value(),
            }
            if self.sasl.security_protocol == "SASL_SSL":
                from aiokafka.helpers import create_ssl_context

                options["ssl_context"] = create_ssl_context()
        return options
