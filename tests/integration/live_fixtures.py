"""The fixture that gives a live-hub test its own hub settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.harness import free_port
from tests.integration.live_support import thresholds_file


@pytest.fixture
def live_hub_env(
    kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path
) -> dict[str, str]:
    """Settings of this test's hub: own topics, registry port and a short silence limit."""
    return {
        **os.environ,
        "KCR_BOOTSTRAP": kafka_bootstrap,
        "KCR_TOPIC_PREFIX": unique_name("live").lower(),
        "KCR_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        "KCR_BRIDGE_PORT": str(free_port()),
        "KCR_DASHBOARD_PORT": str(free_port()),
        "KCR_ESCALATION_FILE": str(thresholds_file(tmp_path)),
    }
