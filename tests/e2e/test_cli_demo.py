"""``kcr demo`` as a newcomer runs it, with ``kcr signals list`` from a second terminal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import KcrRunner
from tests.harness import free_port

pytestmark = pytest.mark.slow

WANTED = {
    "grip-high/flood-zeeland": "GRIP 4",
    "silent-organisation/vr24": "Zuid-Limburg",
    "supra-regional/public_order": "3 regions",
}


def _active_titles(kcr: KcrRunner) -> dict[str, str]:
    result = kcr("signals", "list", "--json", timeout=60)
    if result.returncode != 0:
        return {}
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {e["data"]["signal_id"]: e["data"]["title"] for e in events}


def _shown(titles: dict[str, str]) -> bool:
    return all(want in titles.get(signal_id, "") for signal_id, want in WANTED.items())


@pytest.mark.timeout(720)
def test_demo_shows_grip_4_a_silent_region_and_spreading_protests(
    kcr: KcrRunner, kcr_env: dict[str, str], tmp_path: Path
) -> None:
    """At six times the speed the key signals show in `kcr signals list`; Ctrl-C stops it all."""
    env = {
        **kcr_env,
        "KCR_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        "KCR_BRIDGE_PORT": str(free_port()),
        "KCR_DASHBOARD_PORT": str(free_port()),
    }
    out = (tmp_path / "demo.out").open("w", encoding="utf-8")
    demo = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "demo", "--speed", "6", "--duration", "600"],
        env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        titles: dict[str, str] = {}
        printed = ""
        # the terminal summary is printed every few seconds: wait for it as for the signals
        while not (_shown(titles) and "No events from Zuid-Limburg" in printed):
            assert demo.poll() is None, printed
            assert time.monotonic() < deadline, (titles, printed)
            time.sleep(3)
            titles = _active_titles(lambda *a, **k: kcr(*a, **{**env, **k}))
            printed = (tmp_path / "demo.out").read_text()
        assert "Zeeland scales up to GRIP 4" in printed
    finally:
        demo.send_signal(signal.SIGINT)
        code = demo.wait(timeout=120)
        out.close()
    assert code == 0, (tmp_path / "demo.out").read_text()
    printed = (tmp_path / "demo.out").read_text()
    assert "KCR demo stopped." in printed
    assert "Broker stopped." in printed
    assert (Path(env["KCR_DATA_DIR"]) / "demo.log").stat().st_size > 0
