"""Shared by the connector tests: run ``kcr connect`` in a subprocess, read ids off topics."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta

from hub.codec.headers import header_map
from hub.contracts.events.catalogue import FAMILIES
from hub.topics.declaration import TopicNames
from tests.integration.gateway_support import read_all

ORGS = ("vr17", "vr19", "vr20", "ncc")


def kcr_env(bootstrap: str, registry_url: str, prefix: str) -> dict[str, str]:
    """The environment of a ``kcr`` subprocess for the hub under ``prefix``."""
    return {
        **os.environ,
        "KCR_BOOTSTRAP": bootstrap,
        "KCR_REGISTRY_URL": registry_url,
        "KCR_TOPIC_PREFIX": prefix,
    }


async def kcr(
    env: dict[str, str], *args: str, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hub.cli ARGS`` with ``env`` and return its result (output captured)."""
    command = [sys.executable, "-m", "hub.cli", *args]
    return await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=timeout
    )


async def ids_in(bootstrap: str, topics: list[str]) -> list[str]:
    """Return the ``ce_id`` of every committed record of ``topics``, in order per partition."""
    return [header_map(r.headers).get("ce_id", "") for r in await read_all(bootstrap, topics)]


def log_topics(names: TopicNames) -> list[str]:
    """Every log topic of the hub ``names`` describes (the clock excepted)."""
    return [names.log(family) for family in FAMILIES if family != "clock"]


def published_ids(output: str) -> list[str]:
    """The event ids a ``kcr connect`` run printed as published."""
    return [line.split(": published ")[1].split()[0] for line in output.splitlines()
            if ": published " in line]  # fmt: skip


def rm_time(moment: datetime, hours: float = 0) -> str:
    """An EDXL-RM date-time ``hours`` after ``moment`` (seconds precision, with offset)."""
    return (moment + timedelta(hours=hours)).replace(microsecond=0).isoformat()
