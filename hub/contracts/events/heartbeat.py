"""Heartbeat events: each partner says regularly that it is there; silence is a signal."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from hub.contracts.events.envelope import EventData, EventEnvelope, data_field, type_field
from hub.contracts.fields import ShortText, Text

__all__ = ["HeartbeatSent", "HeartbeatSentData", "HeartbeatStatus"]


class HeartbeatStatus(StrEnum):
    """How the partner's systems are doing."""

    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


class HeartbeatSentData(EventData):
    """A sign of life from a partner."""

    status: HeartbeatStatus = Field(description="Overall status of the partner's systems.")
    systems: tuple[ShortText, ...] = Field(
        default=(), description="Systems the status refers to, e.g. ['GMS', 'LCMS']."
    )
    note: Text = Field(default="", description="Remarks, e.g. what is degraded.")


class HeartbeatSent(EventEnvelope):
    """A partner sends a heartbeat; by convention the subject is the source's own id."""

    type: Literal["nl.kcr.heartbeat.sent"] = type_field("nl.kcr.heartbeat.sent")
    data: HeartbeatSentData = data_field("The heartbeat.")
