"""The pure layers never import Kafka, Faust, Avro, HTTP or geometry libraries."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "faust",
    "mode",
    "aiokafka",
    "confluent_kafka",
    "fastavro",
    "avro",
    "schema_registry",
    "httpx",
    "aiohttp",
    "requests",
    "shapely",  # geometry lives in hub/geo, used by connectors and edges only
)

_PROBE = """
import importlib, json, pkgutil, sys
imported = []
for package in ("hub.contracts", "hub.domain"):
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError:
        continue
    imported.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"imported": imported, "loaded": loaded}))
"""


def test_pure_layers_import_no_io_library() -> None:
    """Importing every module of hub.contracts and hub.domain loads none of the I/O libraries."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    report = json.loads(result.stdout)
    assert "hub.contracts.events.catalogue" in report["imported"]
    assert "hub.contracts.avro_schema" in report["imported"]
    assert sorted(set(FORBIDDEN) & set(report["loaded"])) == []
