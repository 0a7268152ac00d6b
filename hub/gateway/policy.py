"""The gateway's limits, grouped in one settings model (``KCR_GATEWAY_`` variables)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["GatewayPolicy"]


class GatewayPolicy(BaseSettings):
    """Limits on what the gateway admits, and how it batches."""

    model_config = SettingsConfigDict(env_prefix="KCR_GATEWAY_", frozen=True, extra="ignore")

    max_record_bytes: int = Field(256 * 1024, gt=0, description="Largest value accepted.")
    future_tolerance: timedelta = Field(
        timedelta(minutes=5), description="How far an event's time may lie ahead of ingestion."
    )
    max_age: timedelta | None = Field(
        None,
        description=(
            "How far an event's time may lie behind ingestion; None (default) accepts any age, "
            "so backfills and the fixed-time examples stay publishable."
        ),
    )
    dedupe_window: timedelta = Field(
        timedelta(days=7), description="How long an event id is remembered for de-duplication."
    )
    dedupe_max_ids: int = Field(2_000_000, gt=0, description="Most ids remembered at once.")
    ownership_retention: timedelta = Field(
        timedelta(days=30),
        description=(
            "How long the owner of a closed, withdrawn or retired aggregate is kept; after it "
            "the gateway tombstones the key on start (the id may then be created anew)."
        ),
    )
    batch_max_records: int = Field(2000, gt=0, description="Records per transaction at most.")
    poll_timeout_ms: int = Field(200, gt=0, description="How long one poll waits for records.")
    retry_pause: timedelta = Field(
        timedelta(seconds=1),
        description=(
            "Pause before a batch is read again after a failed transaction (doubling with each "
            "failure in a row, up to retry_pause_max), and between tries of the schema registry "
            "or of a new producer."
        ),
    )
    retry_pause_max: timedelta = Field(
        timedelta(seconds=30), description="Longest pause between two tries of one batch."
    )
