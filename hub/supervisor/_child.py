"""One child process: spawned to die with its parent, its output copied line by line.

The child runs in a process group of its own, so a Ctrl-C on the terminal reaches only the
supervisor (which stops the children one by one, in order). On Linux the kernel sends it
SIGKILL when the supervisor dies (``PR_SET_PDEATHSIG``), even when the supervisor itself was
killed with SIGKILL and could not stop anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

__all__ = ["Child", "spawn"]

_PR_SET_PDEATHSIG = 1
_CHUNK = 65536


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to SIGKILL the child when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork, not in the child
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class Child:
    """A running child process whose output is copied to its log file and to ``out``.

    Every line goes to ``log`` as printed and to ``out`` prefixed with the child's name;
    ``on_line`` sees each line too (the supervisor looks for the ready marker there).
    """

    def __init__(self, name: str, process: asyncio.subprocess.Process, copier: _Copier) -> None:
        """Wrap a spawned ``process``; use :func:`spawn` rather than this."""
        self.name = name
        self.process = process
        self._copier = copier
        self._copying = asyncio.create_task(copier.run(), name=f"copy-{name}")

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    @property
    def running(self) -> bool:
        """Whether the child has not exited yet."""
        return self.process.returncode is None

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the child, unless it already exited."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)

    async def wait(self) -> int:
        """Wait until the child exited and its output was copied; return its exit code.

        A negative code is the signal that ended it. Output still open after the exit (a
        grandchild holding the pipe) is given up after a few seconds.
        """
        code = await self.process.wait()
        done, _ = await asyncio.wait({self._copying}, timeout=5.0)
        if not done:
            self._copying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._copying
        self._copier.close()
        return code


class _Copier:
    """Copies a child's output, split into lines, to its log file and the shared output."""

    def __init__(self, stream: asyncio.StreamReader, prefix: str, sinks: _Sinks) -> None:
        self._stream = stream
        self._prefix = prefix
        self._sinks = sinks

    async def run(self) -> None:
        pending = b""
        while chunk := await self._stream.read(_CHUNK):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self._line(line)
        if pending:
            self._line(pending)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self._sinks.log.write(text + "\n")
        self._sinks.log.flush()
        if self._sinks.out is not None:
            try:
                self._sinks.out.write(f"{self._prefix}{text}\n")
                self._sinks.out.flush()
            except (OSError, ValueError):  # a closed terminal or pipe: keep the log file going
                self._sinks.out = None
        self._sinks.on_line(text)

    def close(self) -> None:
        self._sinks.log.close()


class _Sinks:
    def __init__(self, log: TextIO, out: TextIO, on_line: Callable[[str], None]) -> None:
        self.log = log
        self.out: TextIO | None = out
        self.on_line = on_line


async def spawn(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str],
    log: TextIO,
    out: TextIO,
    on_line: Callable[[str], None],
) -> Child:
    """Start ``command`` as the child ``name``, stdout and stderr merged and copied by lines.

    ``log`` (closed when the child has been waited for) receives the lines as printed; ``out``
    receives them as ``name | line``. Raises :class:`OSError` when the command cannot start.
    """
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(env),
        preexec_fn=_die_with_parent(),
        process_group=0,
    )
    assert process.stdout is not None  # asked for above
    copier = _Copier(process.stdout, f"{name} | ", _Sinks(log, out, on_line))
    return Child(name, process, copier)
