"""The one error root of the hub and its fielded subclasses.

Every error a user can meet says what went wrong and how to fix it. Subclasses also inherit the
builtin exception that callers already catch (``ValueError`` for bad input, ``RuntimeError`` for
a process that misbehaves, ``OSError`` for the environment).
"""

from __future__ import annotations

__all__ = [
    "BrokerError",
    "CodecError",
    "ConfigurationError",
    "EnvironmentProblem",
    "HubError",
    "PortInUse",
    "TopicMismatch",
]


class HubError(Exception):
    """Root of every error the hub raises on purpose.

    ``message`` says what happened; ``fix`` (optional) says what the user can do about it.
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} Fix: {fix}" if fix else message)

    def refusal(self) -> str:
        """One line for a refusal list or a reason file: the message, then ``(fix: ...)``."""
        return self.message + (f" (fix: {self.fix})" if self.fix else "")


class EnvironmentProblem(HubError, OSError):
    """A tool the hub needs (Java, Maven) is missing or too old."""

    def __init__(self, tool: str, message: str, *, fix: str) -> None:
        self.tool = tool
        super().__init__(message, fix=fix)


class PortInUse(HubError, OSError):
    """A port the local broker needs is taken by another process."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        super().__init__(
            f"Port {host}:{port} is already in use by another process, not by a KCR broker.",
            fix=(
                "stop that process, or pick free ports with "
                f"KCR_BOOTSTRAP={host}:<port> (the controller uses <port>+1)."
            ),
        )


class BrokerError(HubError, RuntimeError):
    """The local broker did not start, stop or answer as expected."""

    def __init__(self, message: str, *, fix: str | None = None, log_tail: str = "") -> None:
        self.log_tail = log_tail
        if log_tail:
            message = f"{message}\n--- last lines of the broker log ---\n{log_tail}"
        super().__init__(message, fix=fix)


class TopicMismatch(HubError, RuntimeError):
    """An existing topic differs from its declaration in a way that cannot be fixed in place."""

    def __init__(self, topic: str, differences: list[str]) -> None:
        self.topic = topic
        self.differences = differences
        super().__init__(f"Topic {topic} differs from its declaration: {'; '.join(differences)}.")


class ConfigurationError(HubError, ValueError):
    """A setting or configuration file has a bad value."""

    def __init__(self, field: str, message: str, *, fix: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}", fix=fix)


class CodecError(HubError, ValueError):
    """Bytes could not be encoded or decoded; decoding errors are poison and are dead-lettered."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)
