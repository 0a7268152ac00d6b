"""The shared librdkafka settings: one place, and a client's own settings and login win."""

from __future__ import annotations

from hub.kafka.librdkafka_config import consumer_config, producer_config


def test_a_consumer_reads_committed_records_and_never_commits_by_itself() -> None:
    """Every hub consumer is read-committed, with automatic commits and offset stores off."""
    config = consumer_config("b:9092", "g")
    assert config["bootstrap.servers"] == "b:9092"
    assert config["group.id"] == "g"
    assert config["isolation.level"] == "read_committed"
    assert config["enable.auto.commit"] is False
    assert config["enable.auto.offset.store"] is False


def test_a_clients_own_settings_and_login_override_the_shared_ones() -> None:
    """``extra`` adds or replaces a setting; the login options come last."""
    login = {"security.protocol": "SASL_PLAINTEXT", "sasl.username": "gateway"}
    config = consumer_config("b:9092", "g", login, {"fetch.wait.max.ms": 20, "log_level": 7})
    assert config["fetch.wait.max.ms"] == 20
    assert config["log_level"] == 7
    assert config["sasl.username"] == "gateway"


def test_a_producer_is_idempotent_and_waits_for_every_replica() -> None:
    """Producers are idempotent with acks=all; a transactional id comes through ``extra``."""
    config = producer_config("b:9092", None, {"transactional.id": "kcr-gateway-1"})
    assert config["enable.idempotence"] is True
    assert config["acks"] == "all"
    assert config["transactional.id"] == "kcr-gateway-1"
