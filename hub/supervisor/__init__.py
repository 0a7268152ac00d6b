"""One OS process per service under one supervisor (``kcr run``).

The supervisor starts each service as a child process in order, knows it is ready when it
prints :func:`ready_marker`, copies its output to a log file of its own and to the
supervisor's output, restarts it with backoff when it ends unasked (and says so), and stops the
children in reverse order. The children die with the supervisor, even when it is SIGKILLed.
"""

from hub.supervisor._backoff import Backoff
from hub.supervisor._supervisor import (
    ChildSpec,
    HubStatus,
    Supervisor,
    SupervisorSettings,
    ready_marker,
)

__all__ = ["Backoff", "ChildSpec", "HubStatus", "Supervisor", "SupervisorSettings", "ready_marker"]
