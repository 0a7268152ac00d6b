"""``kcr bridge --port P`` serves alone: prints its address, answers, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.harness import free_port


def test_kcr_bridge_serves_on_the_given_port(kafka_bootstrap: str, tmp_path: Path) -> None:
    """The address is printed at start; the OpenAPI document is served; SIGTERM exits 0."""
    port = free_port()
    env = {**os.environ, "KCR_BOOTSTRAP": kafka_bootstrap, "KCR_DATA_DIR": str(tmp_path)}
    log = tmp_path / "bridge.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "bridge", "--port", str(port)],
            env=env, stdout=out, stderr=out, text=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while f"KCR bridge on http://127.0.0.1:{port}" not in log.read_text(encoding="utf-8"):
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).json()
        assert "/v1/events" in spec["paths"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text(encoding="utf-8")
