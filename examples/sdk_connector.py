"""A minimal connector on the SDK: publish a heartbeat and an incident, then print the outbox.

Run it next to a hub (``kcr run``)::

    python examples/sdk_connector.py --org vr19 --seconds 20

The hub's address comes from the usual ``KCR_BOOTSTRAP``, ``KCR_REGISTRY_URL`` and
``KCR_TOPIC_PREFIX`` settings. Outbox progress is kept in the group ``<prefix>.connector.<org>``,
so a second run prints only what arrived since.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

from connectors.sdk import ClientSettings, HubClient
from hub.settings import load_settings


def heartbeat(org: str) -> dict[str, object]:
    """A heartbeat in CloudEvents JSON: the connector is alive (id, time, source filled in)."""
    return {"type": "nl.kcr.heartbeat.sent", "subject": org, "tlp": "CLEAR",
            "data": {"status": "ok", "systems": ["connector"]}}  # fmt: skip


def incident(org: str) -> dict[str, object]:
    """A flood at GRIP 3 in the organisation's own region (the hub raises a signal on it)."""
    incident_id = f"inc-{org}-{uuid.uuid4().hex[:8]}"
    data = {"incident_id": incident_id, "category": "flood", "title": "Wateroverlast (example)",
            "regions": [org], "grip_level": "3", "severity": "severe",
            "started_at": datetime.now(UTC).isoformat()}  # fmt: skip
    return {
        "type": "nl.kcr.incident.reported",
        "subject": incident_id,
        "tlp": "GREEN",
        "data": data,
    }


async def main(org: str, seconds: float) -> None:
    """Publish two events as ``org`` and print the outbox for ``seconds``."""
    settings = ClientSettings.from_hub_settings(load_settings(), org)
    async with HubClient(settings) as client:
        for event_id in await client.publish_many([heartbeat(org), incident(org)]):
            print(f"published {event_id}", flush=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                async for item in client.outbox():
                    kind = getattr(item, "type", None) or getattr(item, "key", "?")
                    print(f"outbox {type(item).__name__} {kind}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="vr19", help="the publishing organisation")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to read the outbox")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.org, arguments.seconds))
