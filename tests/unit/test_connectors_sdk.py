"""The SDK without a broker: settings, SASL options, and how events are validated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.sdk import ClientSettings, HubClient, SaslCredentials, SourceMismatch
from hub.domain import testing as given
from hub.errors import ConfigurationError
from hub.settings import Settings

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _settings(**extra: object) -> ClientSettings:
    return ClientSettings(bootstrap="b:9092", org="vr19", registry_url="http://r", **extra)


def test_defaults_follow_the_topic_prefix() -> None:
    """The outbox group is <prefix>.connector.<org> unless set; topics use the prefix."""
    settings = _settings(topic_prefix="test")
    assert settings.consumer_group == "test.connector.vr19"
    assert _settings(group_id="mine").consumer_group == "mine"
    assert HubClient(settings).ingress_topic == "test.ingress.vr19"
    assert HubClient(settings).outbox_topic == "test.outbox.vr19"


def test_sasl_credentials_become_aiokafka_options() -> None:
    """SCRAM-SHA-512 over SASL_PLAINTEXT by default; the password is not in the repr."""
    sasl = SaslCredentials(username="vr19", password="geheim")
    options = _settings(sasl=sasl).kafka_options()
    assert options == {
        "bootstrap_servers": "b:9092", "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "vr19",
        "sasl_plain_password": "geheim",
    }  # fmt: skip
    assert "geheim" not in repr(sasl)
    assert _settings().kafka_options() == {"bootstrap_servers": "b:9092"}


def test_settings_from_the_hub_environment() -> None:
    """from_hub_settings takes bootstrap, registry and prefix from the KCR_ settings."""
    hub = Settings(bootstrap="h:1", registry_url="http://reg", topic_prefix="p")
    client = ClientSettings.from_hub_settings(hub, "vr05")
    assert (client.bootstrap, client.registry_url, client.topic_prefix) == (
        "h:1",
        "http://reg",
        "p",
    )


def test_validate_fills_a_dict_and_checks_the_source() -> None:
    """A dict gets id, time and source; another source or a bad field is named."""
    client = HubClient(_settings())
    event = client.validate({"type": "nl.kcr.heartbeat.sent", "subject": "vr19", "tlp": "CLEAR",
                             "data": {"status": "ok"}})  # fmt: skip
    assert event.source == "vr19"
    assert event.id
    with pytest.raises(SourceMismatch) as wrong:
        client.validate(given.heartbeat(NOW, "vr01"))
    assert (wrong.value.field, wrong.value.source, wrong.value.org) == (
        "event.source",
        "vr01",
        "vr19",
    )
    with pytest.raises(ConfigurationError, match=r"data\.status"):
        client.validate({"type": "nl.kcr.heartbeat.sent", "subject": "vr19", "tlp": "CLEAR",
                         "data": {"status": "asleep"}})  # fmt: skip
