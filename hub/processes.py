"""The hub's services as child processes of the supervisor: one ``kcr run --only`` each."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from hub.services import SERVICE_NAMES
from hub.supervisor import ChildSpec

__all__ = ["READY_TIMEOUT", "hub_children", "service_command"]

READY_TIMEOUT = 300.0
"""How long a service may take to start (registering every schema is slow on two busy cores)."""


def service_command(name: str) -> tuple[str, ...]:
    """The command that runs the service ``name`` alone, with this interpreter.

    ``--topics-applied``: the supervisor applied the topics once for all of its children.
    """
    return (sys.executable, "-m", "hub.cli", "run", "--only", name, "--topics-applied")


def hub_children(names: Sequence[str] = SERVICE_NAMES) -> list[ChildSpec]:
    """The named services in start order; each one waits for the schema registry, if it runs."""
    needs = ("registry",) if "registry" in names else ()
    return [
        ChildSpec(
            name,
            service_command(name),
            needs=() if name == "registry" else needs,
            ready_timeout=READY_TIMEOUT,
        )
        for name in SERVICE_NAMES
        if name in names
    ]
