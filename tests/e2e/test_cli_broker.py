"""``kcr broker start|status|stop`` as a user runs them, on its own port and data dir."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.e2e.conftest import KcrRunner


async def _roundtrip(bootstrap: str, topic: str) -> bytes:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello from the e2e test", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert isinstance(record.value, bytes)
    return record.value


def test_start_status_stop_twice_and_records_flow(kcr: KcrRunner, kcr_env: dict[str, str]) -> None:
    """Start, status, produce+consume, stop — twice in a row; a second start says it runs."""
    bootstrap = kcr_env["KCR_BOOTSTRAP"]
    for round_ in (1, 2):
        started = kcr("broker", "start")
        assert started.returncode == 0, started.stderr + started.stdout
        assert f"listening on {bootstrap}" in started.stdout
        again = kcr("broker", "start")
        assert "already running" in again.stdout
        status = kcr("broker", "status")
        assert status.returncode == 0
        assert "answering" in status.stdout
        applied = kcr("topics", "apply")
        assert applied.returncode == 0, applied.stderr + applied.stdout
        assert ("created  kcr.log.incident" in applied.stdout) == (round_ == 1)
        assert ("0 created" in applied.stdout) == (round_ == 2)
        value = asyncio.run(_roundtrip(bootstrap, "kcr.log.incident"))
        assert value == b"hello from the e2e test"
        stopped = kcr("broker", "stop")
        assert stopped.returncode == 0
        assert "Broker stopped." in stopped.stdout
        after = kcr("broker", "status")
        assert after.returncode == 1
        assert "not running" in after.stdout


def test_port_taken_by_another_process_is_a_clear_error(
    kcr: KcrRunner, kcr_env: dict[str, str]
) -> None:
    """A foreign listener on the broker port gives an error naming the port and the fix."""
    host, port = kcr_env["KCR_BOOTSTRAP"].split(":")
    with socket.socket() as sock:
        sock.bind((host, int(port)))
        sock.listen()
        result = kcr("broker", "start")
    assert result.returncode == 1
    assert f"{host}:{port} is already in use" in result.stderr
    assert "KCR_BOOTSTRAP" in result.stderr


def test_missing_java_is_a_clear_error(kcr: KcrRunner) -> None:
    """Without java on PATH the broker refuses to start and says what to install."""
    result = kcr("broker", "start", PATH="/nonexistent")
    assert result.returncode == 1
    assert "Java was not found on PATH" in result.stderr
    assert "JDK 17" in result.stderr


def test_missing_maven_is_a_clear_error(kcr: KcrRunner, tmp_path: Path) -> None:
    """With java but no mvn on PATH and no jars yet, install says how to get Maven."""
    java = shutil.which("java")
    assert java is not None, "the test machine has Java 17 (the README's requirement)"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(Path(java).resolve())
    result = kcr("broker", "install", PATH=str(bin_dir), KCR_JARS_DIR=str(tmp_path / "jars"))
    assert result.returncode == 1
    assert "Maven was not found on PATH" in result.stderr
    assert "apt-get install maven" in result.stderr


def test_install_with_a_relative_data_dir_puts_the_jars_there(
    kcr_env: dict[str, str], tmp_path: Path
) -> None:
    """`kcr broker install` from a fresh folder with the default relative .kcr fetches the jars."""
    env = {k: v for k, v in kcr_env.items() if k not in ("KCR_JARS_DIR", "KCR_DATA_DIR")}
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "broker", "install"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / ".kcr" / "jars").glob("*/kafka_2.13-*.jar"))
    assert list((tmp_path / ".kcr" / "jars").glob("*/log4j-core-*.jar"))
