"""The supervisor runs tiny child processes: order, readiness, restarts, shutdown, death."""

from __future__ import annotations

import asyncio
import io
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from hub.supervisor import Backoff, ChildSpec, HubStatus, Supervisor, SupervisorSettings

pytestmark = pytest.mark.timeout(60)

# argv: name, record file, seconds until ready, then "stay", "crash-once" or "crash"
_CHILD = r"""
import os, signal, sys, time
name, record, delay, mode = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
def note(what):
    with open(record, "a") as f:
        f.write(f"{what} {name}\n")
def stop(*_):
    note("stop")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop if mode != "stubborn" else signal.SIG_IGN)
note("start")
if mode == "crash":
    sys.exit(2)
time.sleep(delay)
note("ready")
print("KCR service ready: " + name, flush=True)
crashed = record + "." + name + ".crashed"
if mode == "crash-once" and not os.path.exists(crashed):
    open(crashed, "w").close()
    time.sleep(0.2)
    sys.exit(3)
while True:
    time.sleep(1)
"""

_FAST = Backoff(first=0.1, limit=0.4, reset_after=60.0)


class _Status:
    """What the supervisor reported, each with the children's record at that moment."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self.reports: list[tuple[str, list[str]]] = []
        self.ready_again = asyncio.Event()

    def hub_status(self) -> HubStatus:
        return HubStatus(ready=self._ready, down=lambda why: self._note(f"down: {why}"))

    def _ready(self) -> None:
        self._note("ready")
        self.ready_again.set()

    def _note(self, what: str) -> None:
        self.reports.append((what, self.lines()))

    def lines(self) -> list[str]:
        return self.record.read_text().splitlines() if self.record.exists() else []

    def said(self) -> list[str]:
        return [what for what, _ in self.reports]


def _spec(
    name: str, record: Path, *, delay: float = 0.0, mode: str = "stay", **kw: object
) -> ChildSpec:
    command = (sys.executable, "-c", _CHILD, name, str(record), str(delay), mode)
    return ChildSpec(name, command, **kw)  # type: ignore[arg-type]


def _supervisor(
    tmp_path: Path, specs: list[ChildSpec], status: _Status, grace: float = 5.0
) -> tuple[Supervisor, io.StringIO]:
    out = io.StringIO()
    settings = SupervisorSettings(log_dir=tmp_path / "logs", grace=grace, backoff=_FAST)
    return Supervisor(specs, settings, out, status.hub_status()), out


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_children_start_after_their_needs_and_ready_is_said_once_all_serve(
    tmp_path: Path,
) -> None:
    """Children b and c start once a is ready; ready is said after all three; stop is reversed."""
    record = tmp_path / "record"
    status = _Status(record)
    specs = [
        _spec("a", record, delay=0.5),
        _spec("b", record, delay=0.3, needs=("a",)),
        _spec("c", record, delay=0.6, needs=("a",)),
    ]
    supervisor, out = _supervisor(tmp_path, specs, status)
    stop = asyncio.Event()
    running = asyncio.create_task(supervisor.run(stop))
    await asyncio.wait_for(status.ready_again.wait(), 20)
    stop.set()
    await running
    lines = record.read_text().splitlines()
    assert lines.index("ready a") < min(lines.index("start b"), lines.index("start c"))
    assert status.said() == ["ready"]
    assert {"ready a", "ready b", "ready c"} <= set(status.reports[0][1])
    assert [line for line in lines if line.startswith("stop")] == ["stop c", "stop b", "stop a"]
    assert "a | KCR service ready: a" in out.getvalue().splitlines()
    assert (tmp_path / "logs" / "b.log").read_text() == "KCR service ready: b\n"


async def test_a_crashed_child_is_reported_restarted_and_the_hub_is_ready_again(
    tmp_path: Path,
) -> None:
    """Child b exits after it served: the crash is reported, b comes back, ready is said again."""
    record = tmp_path / "record"
    status = _Status(record)
    specs = [_spec("a", record), _spec("b", record, mode="crash-once", needs=("a",))]
    supervisor, _ = _supervisor(tmp_path, specs, status)
    stop = asyncio.Event()
    with capture_logs() as logs:
        running = asyncio.create_task(supervisor.run(stop))
        await _until(lambda: status.said().count("ready") == 2)
        stop.set()
        await running
    assert status.said() == ["ready", "down: b exited with code 3; restart 1 in 0.1 s", "ready"]
    events = {entry["event"]: entry for entry in logs}
    exited = events["supervisor.service_exited"]
    assert (exited["service"], exited["exit_code"], exited["attempt"]) == ("b", 3, 1)
    assert events["supervisor.service_restarted"]["attempt"] == 1
    assert record.read_text().splitlines().count("start b") == 2


async def test_no_ready_is_claimed_while_a_child_keeps_crashing(tmp_path: Path) -> None:
    """A child that dies at once is restarted with doubling delays; the hub is never ready."""
    record = tmp_path / "record"
    status = _Status(record)
    specs = [_spec("a", record), _spec("b", record, mode="crash", needs=("a",))]
    supervisor, _ = _supervisor(tmp_path, specs, status)
    stop = asyncio.Event()
    running = asyncio.create_task(supervisor.run(stop))
    await _until(lambda: len(status.said()) >= 4)
    stop.set()
    await running
    delays = [what.rsplit(" in ", 1)[1] for what in status.said()[:4]]
    assert delays == ["0.1 s", "0.2 s", "0.4 s", "0.4 s"]
    assert "ready" not in status.said()


async def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    """Stopping sends SIGTERM, then SIGKILL once the grace is over."""
    record = tmp_path / "record"
    status = _Status(record)
    supervisor, _ = _supervisor(tmp_path, [_spec("a", record, mode="stubborn")], status, grace=0.5)
    stop = asyncio.Event()
    with capture_logs() as logs:
        running = asyncio.create_task(supervisor.run(stop))
        await asyncio.wait_for(status.ready_again.wait(), 20)
        stop.set()
        await asyncio.wait_for(running, 10)
    stopped = [entry for entry in logs if entry["event"] == "supervisor.service_stopped"]
    assert stopped[0]["exit_code"] == -signal.SIGKILL
    assert any(entry["event"] == "supervisor.forced_stop" for entry in logs)


_SUPERVISOR = r"""
import asyncio, sys
from pathlib import Path
from hub.supervisor import ChildSpec, HubStatus, Supervisor, SupervisorSettings
pid_file = sys.argv[1]
child = ChildSpec("a", (sys.executable, "-c",
    f"import os, time; open({pid_file!r}, 'w').write(str(os.getpid())); time.sleep(120)"))
status = HubStatus(ready=lambda: None, down=lambda why: None)
settings = SupervisorSettings(log_dir=Path(pid_file).parent / "logs")
asyncio.run(Supervisor([child], settings, sys.stdout, status).run(asyncio.Event()))
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_children_die_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    """SIGKILL of the supervisor takes its children with it."""
    pid_file = tmp_path / "child.pid"
    supervisor = subprocess.Popen([sys.executable, "-c", _SUPERVISOR, str(pid_file)])
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline
            assert supervisor.poll() is None
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert _alive(child)
    finally:
        supervisor.kill()
        supervisor.wait(10)
    deadline = time.monotonic() + 5
    while _alive(child):
        assert time.monotonic() < deadline, "the child outlived its supervisor"
        time.sleep(0.05)


def test_backoff_doubles_to_its_limit_and_resets_after_a_good_run() -> None:
    """1, 2, 4 ... 30 s; a crash after a long run starts from 1 s again."""
    backoff = Backoff()
    assert [backoff.delay(n) for n in (1, 2, 3, 5, 6, 9)] == [1, 2, 4, 16, 30, 30]
    assert backoff.next_attempt(4, uptime=5.0) == 5
    assert backoff.next_attempt(4, uptime=600.0) == 1


def test_a_need_must_be_listed_before_the_child() -> None:
    """A child may only wait for services that start before it."""
    status = _Status(Path("unused"))
    with pytest.raises(ValueError, match="child b"):
        Supervisor(
            [ChildSpec("b", ("true",), needs=("a",)), ChildSpec("a", ("true",))],
            SupervisorSettings(log_dir=Path("unused")),
            io.StringIO(),
            status.hub_status(),
        )
