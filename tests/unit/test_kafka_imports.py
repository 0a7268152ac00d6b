"""Kafka client libraries are imported only in hub/kafka/ and the few places listed here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT_LIBRARIES = frozenset({"aiokafka", "confluent_kafka"})
SCANNED = ("hub", "connectors")
CLIENT_PACKAGE = "hub/kafka/"

ALLOWED: dict[str, str] = {
    "hub/streams/transport.py": (
        "Faust's own aiokafka driver (faust.transport.drivers.aiokafka), subclassed so the "
        "worker's consumer reads committed records; Faust builds its clients itself"
    ),
    "connectors/sdk/client.py": (
        "the partner SDK is a separate distribution for asyncio partners: aiokafka awaits in "
        "the partner's event loop and installs as pure Python"
    ),
    "connectors/sdk/outbox.py": "the partner SDK's outbox consumer (aiokafka, as its client)",
    "connectors/sdk/settings.py": "the partner SDK's SASL_SSL context (aiokafka's helper)",
}
"""Modules outside ``hub/kafka/`` that may import a client library, and why."""


def _imported(tree: ast.AST) -> set[str]:
    """Every module name an ``import`` or ``from ... import`` anywhere in ``tree`` names."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _client_imports(path: Path) -> set[str]:
    """The imported names of ``path`` that are, or lie inside, a Kafka client library."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {name for name in _imported(tree) if CLIENT_LIBRARIES & set(name.split("."))}


def _importers() -> dict[str, set[str]]:
    """Each scanned module outside ``hub/kafka/`` that imports a client library: its names."""
    found: dict[str, set[str]] = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(CLIENT_PACKAGE):
                continue
            names = _client_imports(path)
            if names:
                found[relative] = names
    return found


def test_only_hub_kafka_and_the_listed_modules_import_a_client_library() -> None:
    """No module of hub/ or connectors/ outside hub/kafka/ imports aiokafka or confluent_kafka."""
    unexpected = {path: names for path, names in _importers().items() if path not in ALLOWED}
    assert unexpected == {}, "build Kafka clients through hub/kafka/ (hub.kafka.aio, .admin)"


def test_every_listed_exception_still_imports_a_client_library() -> None:
    """The allowed list holds no stale entry: each listed module exists and needs its exception."""
    assert sorted(_importers().keys() & ALLOWED.keys()) == sorted(ALLOWED)


def test_the_guard_sees_nested_and_dotted_imports() -> None:
    """An import inside a function and Faust's driver module are both seen as client imports."""
    tree = ast.parse(
        "def f():\n    from aiokafka.helpers import create_ssl_context\n"
        "from faust.transport.drivers import aiokafka\nimport json\n"
    )
    names = {name for name in _imported(tree) if CLIENT_LIBRARIES & set(name.split("."))}
    assert {"aiokafka.helpers", "faust.transport.drivers.aiokafka"} <= names
    assert not any(name.startswith("json") for name in names)
