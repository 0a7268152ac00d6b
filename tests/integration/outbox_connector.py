"""A connector process for the restart tests: prints every outbox item it has handled.

``python -m tests.integration.outbox_connector --org ORG [--hang-at ID] [--max N]`` prints
``handling <request id>`` when it gets an item and ``done <request id>`` when it has handled it.
At ``--hang-at`` it hangs while handling (to be killed); after ``--max`` items it closes cleanly.
Settings come from ``KCR_BOOTSTRAP``, ``KCR_REGISTRY_URL`` and ``KCR_TOPIC_PREFIX``.
"""

from __future__ import annotations

import argparse
import asyncio

from connectors.sdk import ClientSettings, HubClient
from hub.contracts.outputs import CoordinationRequested
from hub.settings import load_settings


async def main(org: str, hang_at: str | None, most: int | None) -> None:
    """Handle outbox items until killed or ``most`` items are done."""
    async with HubClient(ClientSettings.from_hub_settings(load_settings(), org)) as client:
        print("ready", flush=True)
        done = 0
        async for item in client.outbox():
            assert isinstance(item, CoordinationRequested)
            request_id = item.data.request_id
            print(f"handling {request_id}", flush=True)
            if request_id == hang_at:
                await asyncio.Event().wait()
            print(f"done {request_id}", flush=True)
            done += 1
            if most is not None and done >= most:
                break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", required=True)
    parser.add_argument("--hang-at")
    parser.add_argument("--max", type=int)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.org, arguments.hang_at, arguments.max))
