"""Run ``kcr run`` as a separate process, as operators do, and stop or kill it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.cli.run_cmd import READY_LINE

__all__ = ["HubProcess", "hub_process"]


class HubProcess:
    """A ``kcr run`` process whose output goes to a log file."""

    def __init__(self, env: dict[str, str], log: Path, args: tuple[str, ...] = ()) -> None:
        """Start ``kcr run ARGS`` with ``env``; call :meth:`wait_ready` before using it."""
        self.log = log
        with log.open("a", encoding="utf-8") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "hub.cli", "run", *args],
                env=env, stdout=out, stderr=out, text=True,
            )  # fmt: skip
        self._ready_seen = log.read_text(encoding="utf-8").count(READY_LINE)

    def output(self) -> str:
        """Return everything the process printed so far."""
        return self.log.read_text(encoding="utf-8")

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until this start printed the ready line; fail with the log otherwise."""
        deadline = time.monotonic() + timeout
        while self.output().count(READY_LINE) <= self._ready_seen:
            assert self.popen.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)

    def stop(self, timeout: float = 60) -> int:
        """Send SIGTERM and return the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL the process; its services (its child processes) die with it at once."""
        self.popen.kill()
        self.popen.wait(timeout=30)


@contextmanager
def hub_process(env: dict[str, str], log: Path, args: tuple[str, ...] = ()) -> Iterator[HubProcess]:
    """Run ``kcr run`` until the block ends (then SIGTERM); yield it once ready."""
    process = HubProcess(env, log, args)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()
