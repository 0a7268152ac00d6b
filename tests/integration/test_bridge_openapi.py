"""schemathesis fuzzes the bridge from its own OpenAPI document: no request gives a 5xx.

The schemathesis CLI runs in a subprocess against a bridge on a loopback port (the bridge
serves from this test's event loop, so a blocking in-process client would stall it), with a
valid API key so the routes behind authentication are reached too. The SSE outbox is left out:
it streams without end by design.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tests.integration.bridge_support import issue_keys, running_bridge
from tests.integration.gateway_support import make_hub_topics, read_all, unique_prefix

ST = Path(sys.executable).with_name("st")
ROOT = Path(__file__).resolve().parents[2]


async def test_schemathesis_finds_no_server_error(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """Generated requests to every publishing route answer 2xx or 4xx, never 5xx."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr19",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr19")
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    async with running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url:
        process = await asyncio.create_subprocess_exec(
            str(ST), "run", f"{url}/openapi.json",
            "--checks", "not_a_server_error",
            "--exclude-path", "/v1/outbox",
            "--header", f"X-API-Key: {keys['vr19']}",
            "--max-examples", "25",
            # not coverage: it enumerates boundary combinations of the 19 generated event
            # schemas for minutes; tests/unit/test_bridge_contract.py fuzzes them in process
            "--phases", "examples,fuzzing",
            "--generation-database", "none",
            "--seed", "7",
            "--no-color",
            cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.st_hooks", "PYTHONPATH": path},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await process.communicate()
    report = output.decode(errors="replace")
    assert process.returncode == 0, report
    assert "Tested: 5" in report, report  # the five publishing routes
    assert await read_all(kafka_bootstrap, [names.ingress("vr19")]), "the example was published"
