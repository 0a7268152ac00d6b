"""The bridge holds under slow and greedy clients: timeouts, a cap per peer, quiet disconnects.

Slow clients connect from 127.0.0.2 and normal ones from 127.0.0.1 (both loopback), so the tests
also show that one address's connections do not take another's service. Timeouts are small
(1 s) through the bridge's limits; closing is asserted within the timeout plus generous slack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from hub.bridge.config import BridgeConfig
from hub.bridge.limits import BridgeLimits
from hub.bridge.server import serve_bridge
from hub.topics.declaration import TopicNames
from tests.harness import free_port, running_service
from tests.integration.bridge_support import issue_keys

SLOW_PEER = "127.0.0.2"
SLACK_S = 5.0
CE = {"Content-Type": "application/cloudevents+json"}


@contextlib.asynccontextmanager
async def bridge_with(
    bootstrap: str, registry_url: str, keys_file: Path, limits: BridgeLimits, prefix: str
) -> AsyncIterator[tuple[str, int]]:
    """Run a bridge with ``limits`` on a free loopback port; yield its URL and port."""
    config = BridgeConfig(
        bootstrap=bootstrap, registry_url=registry_url, keys_file=keys_file,
        names=TopicNames(prefix), port=free_port(), limits=limits,
    )  # fmt: skip

    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_bridge(config, stop, ready)

    async with running_service(main):
        yield config.url(), config.port


async def _slow_client(port: int, head: bytes, drip: bytes, limit_s: float) -> tuple[float, bytes]:
    """Send ``head`` then ``drip`` at 1 byte/s from the slow peer; seconds until closed, answer."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(SLOW_PEER, 0))

    async def dripping() -> None:
        writer.write(head)
        for byte in drip:
            with contextlib.suppress(ConnectionError):
                writer.write(bytes([byte]))
                await writer.drain()
            await asyncio.sleep(1.0)

    sending = asyncio.create_task(dripping())
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=limit_s)
    finally:
        sending.cancel()
        writer.close()
    return time.monotonic() - started, answer


async def test_200_slow_clients_are_cut_off_while_others_are_served(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """100 slow-header and 100 slow-body (1 byte/s) connections get 408 and are closed in time."""
    keys = issue_keys(tmp_path / "keys.json", "vr07")
    limits = BridgeLimits(header_timeout_s=1.0, body_timeout_s=1.0,
                          max_connections_per_peer=1000, max_requests_per_org=1000)  # fmt: skip
    slow_head = b"POST /v1/events HTTP/1.1\r\nHost: bridge\r\n"
    body_head = (
        "POST /v1/events HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/cloudevents+json"
        f"\r\nX-API-Key: {keys['vr07']}\r\nContent-Length: 1000\r\n\r\n"
    ).encode()
    prefix = unique_name("t").lower()
    async with bridge_with(
        kafka_bootstrap, registry_url, tmp_path / "keys.json", limits, prefix
    ) as (
        url,
        port,
    ):
        limit_s = limits.body_timeout_s + SLACK_S
        slow = [_slow_client(port, slow_head, b"X-Slow: " + b"a" * 60, limit_s) for _ in range(100)]
        slow += [_slow_client(port, body_head, b"{" * 60, limit_s) for _ in range(100)]
        slow_clients = asyncio.gather(*slow)
        served: list[tuple[int, float]] = []
        async with httpx.AsyncClient(base_url=url, timeout=SLACK_S) as normal:
            while not slow_clients.done():
                sent = time.monotonic()
                response = await normal.post("/v1/events", content=b"{}", headers={**CE,
                                             "X-API-Key": keys["vr07"]})  # fmt: skip
                served.append((response.status_code, time.monotonic() - sent))
                await asyncio.sleep(0.1)
        results = await slow_clients
    assert len(results) == 200
    for elapsed, answer in results:
        assert elapsed < limits.header_timeout_s + SLACK_S
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert len(served) >= 3
    assert {status for status, _ in served} == {422}
    assert max(seconds for _, seconds in served) < SLACK_S


async def test_connections_over_the_per_peer_cap_are_refused_and_others_served(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    """Five idle connections from one address: its sixth gets 503; another address is served."""
    issue_keys(tmp_path / "keys.json", "vr07")
    limits = BridgeLimits(header_timeout_s=30.0, max_connections_per_peer=5)
    prefix = unique_name("t").lower()
    async with bridge_with(
        kafka_bootstrap, registry_url, tmp_path / "keys.json", limits, prefix
    ) as (
        url,
        port,
    ):
        idle = [
            await asyncio.open_connection("127.0.0.1", port, local_addr=(SLOW_PEER, 0))
            for _ in range(5)
        ]
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(SLOW_PEER, 0))
        refused = await asyncio.wait_for(reader.read(), timeout=SLACK_S)
        writer.close()
        async with httpx.AsyncClient(base_url=url) as normal:
            assert (await normal.get("/openapi.json")).status_code == 200
        for _, idle_writer in idle:
            idle_writer.close()
        await asyncio.sleep(0.5)
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(SLOW_PEER, 0))
        writer.write(b"GET /openapi.json HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
        again = await asyncio.wait_for(reader.read(), timeout=SLACK_S)
        writer.close()
    assert refused.startswith(b"HTTP/1.1 503"), refused[:80]
    assert b"retry-after: 5" in refused.lower()
    assert again.startswith(b"HTTP/1.1 200"), again[:80]


async def test_a_client_gone_mid_body_is_one_info_line(
    kafka_bootstrap: str,
    registry_url: str,
    unique_name: Callable[[str], str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hanging up halfway through a body logs bridge.refused once at INFO and no traceback."""
    keys = issue_keys(tmp_path / "keys.json", "vr07")
    prefix = unique_name("t").lower()
    head = (
        "POST /v1/events HTTP/1.1\r\nHost: b\r\nContent-Type: application/cloudevents+json\r\n"
        f"X-API-Key: {keys['vr07']}\r\nContent-Length: 100\r\n\r\n"
    ).encode()
    with capture_logs() as logs, caplog.at_level(logging.INFO):
        async with bridge_with(
            kafka_bootstrap, registry_url, tmp_path / "keys.json", BridgeLimits(), prefix
        ):
            await _hang_up_mid_body(logs, head)
    gone = [entry for entry in logs if entry.get("slug") == "client-disconnected"]
    assert len(gone) == 1
    assert gone[0]["log_level"] == "info"
    assert "exc_info" not in gone[0]
    assert not [entry for entry in logs if entry["log_level"] in ("error", "critical")]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def _hang_up_mid_body(logs: Sequence[MutableMapping[str, Any]], head: bytes) -> None:
    serving = next(entry for entry in logs if entry.get("event") == "bridge.serving")
    port = int(str(serving["url"]).rsplit(":", 1)[1])
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + b'{"id": "half')
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.close()
    for _ in range(50):
        if any(entry.get("slug") == "client-disconnected" for entry in logs):
            return
        await asyncio.sleep(0.1)
