"""Start, inspect and stop one local KRaft broker whose files live under the data dir."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from hub.broker.jars import check_java, ensure_jars
from hub.broker.member import ClusterMember
from hub.broker.probe import broker_answers, port_is_open
from hub.broker.properties import (
    NodeConfig,
    SecureListeners,
    render_log4j2,
    render_server_properties,
)
from hub.contracts.organisations import load_registry
from hub.errors import BrokerError, PortInUse
from hub.security.credentials import (
    ADMIN,
    Credentials,
    ensure_credentials,
    hub_users,
    scram_arguments,
    write_private,
)

__all__ = ["BrokerStatus", "LocalBroker"]

_HEAP = ["-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1"]


@dataclass(frozen=True)
class BrokerStatus:
    """What ``kcr broker status`` reports."""

    running: bool
    answering: bool
    pid: int | None
    bootstrap: str
    home: Path
    already_running: bool = False


def _new_cluster_id() -> str:
    """Return a Kafka cluster id: a random UUID in URL-safe base64 that does not start with '-'."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


class LocalBroker:
    """A single-node KRaft broker (combined broker and controller) on loopback.

    Its files live in ``home``: ``server.properties``, ``data/``, ``broker.log``, ``broker.pid``.
    The controller listens on the broker port plus one. With ``credentials_file`` the broker is
    secure: SASL/SCRAM-SHA-512 on the client port, ACLs enforced, one SCRAM user per
    organisation and hub service created when the storage is formatted, their generated
    passwords kept in ``credentials_file`` (mode 0600).
    """

    def __init__(
        self, home: Path, jars_dir: Path, host: str, port: int,
        credentials_file: Path | None = None, member: ClusterMember | None = None,
    ) -> None:  # fmt: skip
        """Describe a broker (one node of a cluster with ``member``); nothing starts yet."""
        self.home = home
        self.jars_dir = jars_dir
        self.member = member
        self.node = NodeConfig(
            host=host, port=port, controller_port=port + 1, log_dir=home / "data",
            node_id=member.node_id if member else 1, voters=member.voters if member else "",
        )  # fmt: skip
        self.credentials_file = credentials_file
        self._credentials: Credentials | None = None
        self._child: subprocess.Popen[bytes] | None = None  # set when this object started it

    @property
    def secure(self) -> bool:
        """Whether clients must authenticate and are authorised by ACLs."""
        return self.credentials_file is not None

    def probe_config(self) -> dict[str, str]:
        """The confluent-kafka options of an admin connection (SASL as ``admin`` if secure)."""
        if self.credentials_file is None:
            return {}
        if self._credentials is None:
            from hub.security.credentials import read_credentials

            self._credentials = read_credentials(self.credentials_file)
        return {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanisms": self._credentials.mechanism,
            "sasl.username": ADMIN,
            "sasl.password": self._credentials.password(ADMIN, self.credentials_file),
        }

    @property
    def bootstrap(self) -> str:
        """The address clients connect to."""
        return f"{self.node.host}:{self.node.port}"

    @property
    def log_file(self) -> Path:
        """The broker's own log (log4j2)."""
        return self.home / "broker.log"

    @property
    def _pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def _properties(self) -> Path:
        return self.home / "server.properties"

    def pid(self) -> int | None:
        """Return the pid of this broker's live process, or None (a stale pid file is removed)."""
        try:
            pid = int(self._pid_file.read_text(encoding="utf-8").strip())
        except (FileNotFoundError, ValueError):
            return None
        if _is_our_broker(pid, self._properties):
            return pid
        self._pid_file.unlink(missing_ok=True)
        return None

    def status(self) -> BrokerStatus:
        """Report whether the process runs and whether a client can use it."""
        pid = self.pid()
        answering = pid is not None and self._answers(timeout=3.0)
        return BrokerStatus(pid is not None, answering, pid, self.bootstrap, self.home)

    def start(self, timeout: float = 120.0) -> BrokerStatus:
        """Start the broker in the background and wait until a client can use it."""
        if self.pid() is not None:
            return BrokerStatus(True, self._wait_ready(timeout), self.pid(), self.bootstrap,
                                self.home, already_running=True)  # fmt: skip
        for port in (self.node.port, self.node.controller_port):
            if port_is_open(self.node.host, port):
                raise PortInUse(self.node.host, port)
        process = self.launch()
        if not self._wait_ready(timeout, process):
            self.stop(timeout=10)
            raise BrokerError(
                f"The broker did not answer on {self.bootstrap} within {timeout:.0f} s.",
                fix=f"read {self.log_file}; remove {self.home / 'data'} if its storage is damaged.",
                log_tail=self._log_tail(),
            )
        return BrokerStatus(True, True, process.pid, self.bootstrap, self.home)

    def launch(self) -> subprocess.Popen[bytes]:
        """Format the storage if new and start the process, without waiting for it to answer.

        A cluster's nodes must all be launched before any of them answers (quorum).
        """
        check_java()
        classpath = str(ensure_jars(self.jars_dir) / "*")
        self._load_credentials()
        self._write_configs()
        self._format_storage(classpath)
        process = self._child = self._launch(classpath)
        self._pid_file.write_text(str(process.pid), encoding="utf-8")
        return process

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until a client can use this broker; False after ``timeout``."""
        return self._wait_ready(timeout, self._child)

    def kill(self) -> bool:
        """SIGKILL the broker at once (a crash, not a shutdown); False if it was not running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 10.0)
        self._pid_file.unlink(missing_ok=True)
        if self._child is not None:
            self._child.wait(timeout=10)
            self._child = None
        return True

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop gracefully (SIGTERM), forcing (SIGKILL) after ``timeout``; False if not running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, timeout):
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, 10.0)
        self._pid_file.unlink(missing_ok=True)
        if self._child is not None:  # reap our own child so it leaves no zombie behind
            self._child.wait(timeout=10)
            self._child = None
        return True

    def _answers(self, timeout: float) -> bool:
        if not port_is_open(self.node.host, self.node.port):
            return False
        return broker_answers(self.bootstrap, timeout=timeout, **self.probe_config())

    def _load_credentials(self) -> None:
        if self.credentials_file is None:
            return
        formatted = (self.node.log_dir / "meta.properties").exists()
        if formatted and not self.credentials_file.exists():
            raise BrokerError(
                f"The storage in {self.node.log_dir} was formatted without SCRAM users.",
                fix=f"remove {self.node.log_dir} to start it --secure (its data is lost), or "
                "start it without --secure.",
            )
        users = hub_users(load_registry())
        self._credentials, _ = ensure_credentials(self.credentials_file, users)

    def _secure_listeners(self) -> SecureListeners | None:
        if self._credentials is None:
            return None
        return SecureListeners(
            admin_password=self._credentials.password(ADMIN, self.credentials_file),
            controller_password=self._credentials.controller_password,
        )

    def _write_configs(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        text = render_server_properties(self.node, self._secure_listeners())
        write_private(self._properties, text)  # it may hold passwords
        (self.home / "log4j2.properties").write_text(render_log4j2(self.log_file), "utf-8")

    def _format_storage(self, classpath: str) -> None:
        if (self.node.log_dir / "meta.properties").exists():
            return
        result = subprocess.run(
            ["java", *self._heap(), f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
             "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", self._cluster_id(),
             "-c", str(self._properties), "--ignore-formatted", *self._scram_arguments()],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BrokerError(
                "Formatting the broker's storage failed.",
                fix=f"remove {self.node.log_dir} and start again.",
                log_tail=(result.stdout + result.stderr)[-3000:],
            )

    def _heap(self) -> list[str]:
        if self.member is None:
            return _HEAP
        return [f"-Xms{min(256, self.member.heap_mb)}m", f"-Xmx{self.member.heap_mb}m", *_HEAP[2:]]

    def _cluster_id(self) -> str:
        return self.member.cluster_id if self.member else _new_cluster_id()

    def _scram_arguments(self) -> list[str]:
        return scram_arguments(self._credentials) if self._credentials is not None else []

    def _launch(self, classpath: str) -> subprocess.Popen[bytes]:
        log4j = f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}"
        with (self.home / "broker.out").open("ab") as out:
            return subprocess.Popen(
                ["java", *self._heap(), log4j, f"-Dkafka.logs.dir={self.home}", "-cp", classpath,
                 "kafka.Kafka", str(self._properties)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip

    def _wait_ready(self, timeout: float, process: subprocess.Popen[bytes] | None = None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                return False
            if self._answers(timeout=2.0):
                return True
            time.sleep(0.3)
        return False

    def _log_tail(self, lines: int = 30) -> str:
        texts = []
        for name in ("broker.out", "broker.log"):
            path = self.home / name
            if path.exists():
                texts.extend(path.read_text(encoding="utf-8", errors="replace").splitlines())
        return "\n".join(texts[-lines:])


def _is_our_broker(pid: int, properties: Path) -> bool:
    """Return whether ``pid`` is a live ``kafka.Kafka`` process started with ``properties``."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False
    return b"kafka.Kafka" in cmdline and str(properties).encode() in cmdline


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # reap it if it is our child, so it does not linger as a zombie
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.2)
    return False
