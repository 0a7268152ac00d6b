"""The pure domain of the hub: events in, state and outputs (views, signals) out.

No Kafka, Faust, Avro, HTTP or clock here: time comes from the hub's clock ticks, so the same
code gives the same outputs live (Faust workers), in ``kcr replay`` and in the unit tests.
Start at :class:`hub.domain.hub.HubProjection`.
"""

from hub.domain.hub import HubProjection, TickOutputs
from hub.domain.thresholds import Thresholds, load_thresholds, parse_thresholds
from hub.domain.views import ViewRecord

__all__ = [
    "HubProjection",
    "Thresholds",
    "TickOutputs",
    "ViewRecord",
    "load_thresholds",
    "parse_thresholds",
]
