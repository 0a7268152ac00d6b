"""Settings come from KCR_* variables and refuse malformed values with a clear message."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.settings import Settings


def test_defaults_match_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without variables: 127.0.0.1:19092, data in .kcr, jars below it."""
    for name in ("KCR_BOOTSTRAP", "KCR_DATA_DIR", "KCR_JARS_DIR", "KCR_REGISTRY_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.bootstrap == "127.0.0.1:19092"
    assert settings.first_server == ("127.0.0.1", 19092)
    assert settings.data_dir == Path(".kcr")
    assert settings.resolved_jars_dir == Path(".kcr/jars")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """KCR_BOOTSTRAP and KCR_DATA_DIR are read from the environment."""
    monkeypatch.setenv("KCR_BOOTSTRAP", "localhost:29092,localhost:29094")
    monkeypatch.setenv("KCR_DATA_DIR", "/srv/kcr")
    settings = Settings()
    assert settings.first_server == ("localhost", 29092)
    assert settings.data_dir == Path("/srv/kcr")


def test_bootstrap_without_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bootstrap entry without a port names the variable and shows a valid example."""
    monkeypatch.setenv("KCR_BOOTSTRAP", "localhost")
    with pytest.raises(ValidationError, match=r"KCR_BOOTSTRAP entry 'localhost'.*127\.0\.0\.1"):
        Settings()


def test_each_gateway_instance_gets_its_own_transactional_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """KCR_GATEWAY_INSTANCE names the gateway's transactional id; two replicas must differ."""
    from hub.services import gateway_wiring

    monkeypatch.setenv("KCR_GATEWAY_INSTANCE", "gateway-1")
    assert gateway_wiring(Settings()).transactional_id == "kcr-gateway-gateway-1"
    monkeypatch.delenv("KCR_GATEWAY_INSTANCE")
    assert gateway_wiring(Settings()).transactional_id == "kcr-gateway-0"


def test_a_gateway_instance_with_spaces_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A value that cannot be part of a transactional id fails at start, naming the field."""
    monkeypatch.setenv("KCR_GATEWAY_INSTANCE", "gateway one")
    with pytest.raises(ValidationError, match="gateway_instance"):
        Settings()
