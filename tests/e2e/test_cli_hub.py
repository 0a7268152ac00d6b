"""``kcr run``, ``kcr publish`` and ``kcr tail`` as an operator uses them, on the real broker."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import KcrRunner
from tests.harness import free_port
from tests.hub_process import HubProcess, hub_process

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"


@pytest.fixture
def hub_env(
    kafka_bootstrap: str, unique_name: Callable[[str], str], kcr_env: dict[str, str]
) -> dict[str, str]:
    """Settings for a hub of this test's own: the session broker, own topics and registry port."""
    kcr_env.update(
        KCR_BOOTSTRAP=kafka_bootstrap,
        KCR_TOPIC_PREFIX=unique_name("e2e").lower(),
        KCR_REGISTRY_URL=f"http://127.0.0.1:{free_port()}",
        KCR_BRIDGE_PORT=str(free_port()),
        KCR_DASHBOARD_PORT=str(free_port()),
    )
    return kcr_env


@pytest.fixture
def running_hub(hub_env: dict[str, str], tmp_path: Path) -> Iterator[HubProcess]:
    """``kcr run`` in the background until the test ends, ready to use."""
    with hub_process(hub_env, tmp_path / "kcr-run.log") as process:
        yield process


def test_publish_reaches_the_log_and_tail_prints_it(
    running_hub: HubProcess, kcr: KcrRunner, hub_env: dict[str, str]
) -> None:
    """An example published with kcr publish is printed by kcr tail of the log, as JSON."""
    prefix = hub_env["KCR_TOPIC_PREFIX"]
    published = kcr("publish", "--org", "vr19", str(EXAMPLES / "incident.reported.json"), **hub_env)
    assert published.returncode == 0, published.stderr + published.stdout
    assert f"to {prefix}.ingress.vr19" in published.stdout.replace("\n", "")
    tailed = kcr("tail", f"{prefix}.log.incident", "--json", "--max", "1", "--timeout", "60",
                 **hub_env)  # fmt: skip
    assert tailed.returncode == 0, tailed.stderr
    [line] = tailed.stdout.splitlines()
    record = json.loads(line)
    assert record["value"]["type"] == "nl.kcr.incident.reported"
    assert record["value"]["source"] == "vr19"
    assert record["value"]["ingestedat"]
    assert record["headers"]["ce_source"] == "vr19"


def test_publish_fills_id_and_time_and_reads_stdin(
    running_hub: HubProcess, kcr: KcrRunner, hub_env: dict[str, str]
) -> None:
    """An event without id and time from stdin gets both and is accepted."""
    document = json.loads((EXAMPLES / "heartbeat.sent.json").read_text(encoding="utf-8"))
    del document["id"], document["time"]
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "publish", "--org", document["source"], "-"],
        input=json.dumps(document), env=hub_env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "published" in result.stdout


def test_invalid_event_is_refused_with_the_field_and_nothing_is_sent(
    kcr: KcrRunner, hub_env: dict[str, str], tmp_path: Path
) -> None:
    """A bad GRIP level is reported with its field path and the allowed values; exit code 1."""
    document = json.loads((EXAMPLES / "incident.reported.json").read_text(encoding="utf-8"))
    document["data"]["grip_level"] = "9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = kcr("publish", "--org", "vr19", str(path), **hub_env)
    assert result.returncode == 1
    assert "data.grip_level" in result.stderr
    assert "RIJK" in result.stderr


def test_rejections_are_visible_with_kcr_tail(
    running_hub: HubProcess, kcr: KcrRunner, hub_env: dict[str, str]
) -> None:
    """An event the gateway refuses (validation by a region) shows in the dead-letter tail."""
    document = json.loads((EXAMPLES / "advice.validated.json").read_text(encoding="utf-8"))
    document["source"] = "vr19"
    document.pop("id")
    published = subprocess.run(
        [sys.executable, "-m", "hub.cli", "publish", "--org", "vr19", "-"],
        input=json.dumps(document), env=hub_env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    prefix = hub_env["KCR_TOPIC_PREFIX"]
    tailed = kcr("tail", f"{prefix}.deadletter", "--max", "1", "--timeout", "60", **hub_env)
    assert "REJECTED type_not_allowed" in tailed.stdout
    assert "vr19 (role region) may not publish nl.kcr.advice.validated" in tailed.stdout


def test_run_stops_cleanly_on_sigterm(running_hub: HubProcess) -> None:
    """SIGTERM ends kcr run with exit code 0 after its services stopped."""
    code = running_hub.stop()
    output = running_hub.output()
    assert code == 0, output
    assert "KCR hub stopped." in output
    stopped = [line for line in output.splitlines() if "service.stopped" in line]
    order = ["dashboard", "bridge", "processors", "clock", "gateway", "registry"]  # reverse start
    assert [next(name for name in order if f'"{name}"' in line) for line in stopped] == order
