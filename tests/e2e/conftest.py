"""Helpers to run the ``kcr`` command as a user would, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import jars_dir
from tests.harness import free_port_pair

KcrRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kcr_env(tmp_path: Path) -> dict[str, str]:
    """An environment for ``kcr`` with its own data dir, the shared jar cache and free ports."""
    env = dict(os.environ)
    env.update(
        KCR_DATA_DIR=str(tmp_path / "kcr-data"),
        KCR_JARS_DIR=str(jars_dir()),
        KCR_BOOTSTRAP=f"127.0.0.1:{free_port_pair()}",
        COLUMNS="200",
    )
    return env


@pytest.fixture
def kcr(kcr_env: dict[str, str]) -> Iterator[KcrRunner]:
    """Run ``kcr ARGS`` with ``kcr_env``; returns the completed process (output as text)."""

    def run(*args: str, timeout: float = 240, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub.cli", *args],
            env={**kcr_env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    yield run
    # never leave a broker behind, whatever the test did
    run("broker", "stop", "--timeout", "10")
