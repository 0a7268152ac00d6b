"""Every test in this folder talks to the real broker; one schema registry serves them all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.harness import running_registry


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every integration test ``kafka``."""
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="session")
async def registry_url(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A schema registry on the session's broker, on a topic of its own."""
    async with running_registry(kafka_bootstrap, f"_kcr_schemas.{uuid.uuid4().hex[:8]}") as url:
        yield url


from tests.integration.live_fixtures import live_hub_env  # noqa: E402, F401 - shared fixture
