"""Client options: plaintext by default, SASL from settings or a credentials file."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from hub.kafka.clients import client_options, confluent_options
from hub.security.credentials import ensure_credentials
from hub.settings import Settings


def test_plaintext_without_credentials() -> None:
    """No login: no options."""
    assert client_options(Settings()) == {}


def test_configured_user() -> None:
    """KCR_SASL_USERNAME/PASSWORD become aiokafka's SCRAM options."""
    cfg = Settings(sasl_username="vr07", sasl_password=SecretStr("pw"))
    assert client_options(cfg) == {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "vr07", "sasl_plain_password": "pw",
    }  # fmt: skip
    assert confluent_options(cfg)["sasl.username"] == "vr07"


def test_each_service_its_own_user_from_the_file(tmp_path: Path) -> None:
    """With a credentials file, a service logs in as itself; other commands as admin."""
    path = tmp_path / "credentials.json"
    credentials, _ = ensure_credentials(path, ["admin", "gateway"])
    cfg = Settings(credentials_file=path)
    gateway = client_options(cfg, service="gateway")
    assert gateway["sasl_plain_username"] == "gateway"
    assert gateway["sasl_plain_password"] == credentials.password("gateway")
    assert client_options(cfg)["sasl_plain_username"] == "admin"
