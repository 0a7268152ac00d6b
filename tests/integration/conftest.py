"""Every test in this folder talks to the real broker."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every integration test ``kafka``."""
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.kafka)
