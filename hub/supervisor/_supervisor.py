"""Keep a set of child processes running: start in order, restart with backoff, stop in reverse."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from hub.logs import get_logger
from hub.supervisor._backoff import Backoff
from hub.supervisor._child import Child, spawn

__all__ = ["ChildSpec", "HubStatus", "Supervisor", "SupervisorSettings", "ready_marker"]

_log = get_logger("hub.supervisor")


def ready_marker(name: str) -> str:
    """The line a child prints on its stdout once the service ``name`` serves."""
    return f"KCR service ready: {name}"


@dataclass(frozen=True)
class ChildSpec:
    """A service run as a child process: its command, what it needs, and its start time limit.

    The child is started once every service in ``needs`` is ready, and is ready itself once it
    prints :func:`ready_marker` of its ``name``. A child not ready within ``ready_timeout``
    seconds is killed and started again.
    """

    name: str
    command: tuple[str, ...]
    needs: tuple[str, ...] = ()
    ready_timeout: float = 300.0


@dataclass(frozen=True)
class SupervisorSettings:
    """Where the children's logs go, their environment, and how they are stopped and restarted.

    ``grace`` is how long a child may take to stop after SIGTERM before it gets SIGKILL.
    """

    log_dir: Path
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    grace: float = 30.0
    backoff: Backoff = field(default_factory=Backoff)


@dataclass(frozen=True)
class HubStatus:
    """Where the supervisor reports the state of the whole: all ready, or one of them down."""

    ready: Callable[[], None]
    """Called each time every child has become ready (at the start and after a restart)."""
    down: Callable[[str], None]
    """Called with the reason each time a child ended without being asked to."""


@dataclass
class _Slot:
    spec: ChildSpec
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    child: Child | None = None


class Supervisor:
    """Runs each :class:`ChildSpec` as a child process, copying its output, until stopped.

    A child's lines go to ``<log_dir>/<name>.log`` and, prefixed with its name, to ``out``.
    A child that exits without being asked is reported (``status.down``) and started again
    after a :class:`Backoff` delay; ``status.ready`` is called whenever all children are ready,
    never while one is down. Children stop in reverse order: SIGTERM, then SIGKILL after the
    grace. Children die with the supervisor process, even when it is killed with SIGKILL.
    """

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        settings: SupervisorSettings,
        out: TextIO,
        status: HubStatus,
    ) -> None:
        """Check that the names are unique and each need names a service listed before it."""
        self._slots: list[_Slot] = []
        for spec in specs:
            known = {slot.spec.name for slot in self._slots}
            if spec.name in known or not set(spec.needs) <= known:
                raise ValueError(f"child {spec.name}: duplicate, or needs one not listed before it")
            self._slots.append(_Slot(spec))
        self._settings = settings
        self._out = out
        self._status = status
        self._stopping = False
        self._all_ready = False

    async def run(self, stop: asyncio.Event) -> None:
        """Start the children, keep them running until ``stop`` is set, then stop them."""
        if stop.is_set():
            return
        self._settings.log_dir.mkdir(parents=True, exist_ok=True)
        keepers = [asyncio.create_task(self._keep(slot)) for slot in self._slots]
        stopper = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait({stopper, *keepers}, return_when=asyncio.FIRST_COMPLETED)
            for keeper in done - {stopper}:
                keeper.result()  # a keeper only ends by raising: let the caller see why
        finally:
            stopper.cancel()
            self._stopping = True
            for slot, keeper in reversed(list(zip(self._slots, keepers, strict=True))):
                await self._stop(slot, keeper)

    async def _keep(self, slot: _Slot) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            for need in slot.spec.needs:
                await self._slot(need).ready.wait()
            started = loop.time()
            code = await self._run_once(slot, attempt)
            if self._stopping:
                return
            backoff = self._settings.backoff
            attempt = backoff.next_attempt(attempt, loop.time() - started)
            delay = backoff.delay(attempt)
            _log.warning(
                "supervisor.service_exited",
                service=slot.spec.name, exit_code=code, attempt=attempt, restart_in=delay,
            )  # fmt: skip
            self._status.down(
                f"{slot.spec.name} exited with code {code}; restart {attempt} in {delay:g} s"
            )
            await asyncio.sleep(delay)

    async def _run_once(self, slot: _Slot, attempt: int) -> int | None:
        """Run the child once; return its exit code (None: it could not be started)."""
        child = await self._spawn(slot)
        if child is None:
            return None
        slot.child = child
        event = "supervisor.service_restarted" if attempt else "supervisor.service_started"
        _log.info(event, service=slot.spec.name, pid=child.pid, attempt=attempt)
        exited = asyncio.create_task(child.wait())
        ready = asyncio.create_task(slot.ready.wait())
        timeout = slot.spec.ready_timeout
        done, _ = await asyncio.wait(
            {exited, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        ready.cancel()
        if not done:
            _log.error("supervisor.service_not_ready", service=slot.spec.name, timeout=timeout)
            child.signal(signal.SIGKILL)
        elif exited not in done:
            _log.info("supervisor.service_ready", service=slot.spec.name, pid=child.pid)
            self._update_status()
        code = await exited
        slot.ready.clear()
        slot.child = None
        self._update_status()
        return code

    async def _spawn(self, slot: _Slot) -> Child | None:
        name = slot.spec.name
        marker = ready_marker(name)

        def on_line(line: str) -> None:
            if line.strip() == marker:
                slot.ready.set()

        log = (self._settings.log_dir / f"{name}.log").open("a", encoding="utf-8")
        try:
            return await spawn(name, slot.spec.command, self._settings.env, log, self._out, on_line)
        except OSError as error:
            log.close()
            _log.error("supervisor.spawn_failed", service=name, error=str(error))
            return None
        except BaseException:
            log.close()
            raise

    def _update_status(self) -> None:
        all_ready = all(slot.ready.is_set() for slot in self._slots)
        if all_ready and not self._all_ready and not self._stopping:
            self._status.ready()
        self._all_ready = all_ready

    def _slot(self, name: str) -> _Slot:
        return next(slot for slot in self._slots if slot.spec.name == name)

    async def _stop(self, slot: _Slot, keeper: asyncio.Task[None]) -> None:
        child = slot.child
        if child is None:  # waiting to start: nothing runs yet
            keeper.cancel()
        else:
            child.signal(signal.SIGTERM)
            done, _ = await asyncio.wait({keeper}, timeout=self._settings.grace)
            if not done:
                _log.warning("supervisor.forced_stop", service=slot.spec.name, pid=child.pid)
                child.signal(signal.SIGKILL)
        try:
            await keeper
        except asyncio.CancelledError:
            pass
        except Exception:  # a keeper's own failure was raised by run already; stop the rest
            _log.exception("supervisor.keeper_failed", service=slot.spec.name)
        code = None if child is None else child.process.returncode
        _log.info("supervisor.service_stopped", service=slot.spec.name, exit_code=code)
