"""The pure domain of the hub: events in, state and outputs (views, signals, workflows) out.

No Kafka, Faust, Avro, HTTP or clock here: time comes from the hub's clock ticks, so the same
code gives the same outputs live (Faust workers), in ``kcr replay`` and in the unit tests.
Start at :class:`hub.domain.hub.HubProjection`; :func:`hub.domain.routing.route` says which
outboxes receive an output.
"""

from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.routing import Delivery, route
from hub.domain.thresholds import Thresholds, load_thresholds, parse_thresholds
from hub.domain.views import ViewRecord
from hub.domain.workflow_settings import (
    WorkflowSettings,
    load_workflow_settings,
    parse_workflow_settings,
)

__all__ = [
    "Delivery",
    "HubProjection",
    "Thresholds",
    "TickOutputs",
    "ViewRecord",
    "WorkflowSettings",
    "load_thresholds",
    "load_workflow_settings",
    "parse_thresholds",
    "parse_workflow_settings",
    "route",
]
