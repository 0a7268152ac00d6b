"""Session-wide fixtures: one real Kafka broker per test session, unique names per test."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.broker import LocalBroker, broker_answers
from hub.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


def jars_dir() -> Path:
    """Where tests keep the Kafka jars: KCR_JARS_DIR, else the repository's .kcr/jars."""
    configured = os.environ.get("KCR_JARS_DIR")
    return Path(configured) if configured else REPO / ".kcr" / "jars"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real broker: the one at KCR_BOOTSTRAP if it answers, else one started for this session."""
    settings = load_settings()
    if broker_answers(settings.bootstrap, timeout=3.0):
        yield settings.bootstrap
        return
    host, port = settings.first_server
    with tempfile.TemporaryDirectory(prefix="kcr-test-broker-") as home:
        broker = LocalBroker(Path(home), jars_dir(), host, port)
        broker.start(timeout=180)
        try:
            yield broker.bootstrap
        finally:
            broker.stop()


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Return a function that makes topic/group names unique to this test run."""
    test = re.sub(r"[^a-zA-Z0-9]+", "-", request.node.name)[:60].strip("-")
    suffix = uuid.uuid4().hex[:8]

    def make(prefix: str) -> str:
        return f"{prefix}.{test}.{suffix}"

    return make
