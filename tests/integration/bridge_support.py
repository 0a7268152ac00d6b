"""Helpers of the bridge tests: a running bridge, a webhook receiver on loopback, SSE reading."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.bridge.config import BridgeConfig, RetryPolicy, WebhookTarget
from hub.bridge.keys import ApiKeyStore
from hub.bridge.server import serve_bridge
from hub.topics.declaration import TopicNames
from tests.harness import free_port, running_service

FAST_RETRY = RetryPolicy(base_s=0.05, factor=2.0, max_tries=3, timeout_s=2.0)


def issue_keys(path: Path, *orgs: str) -> dict[str, str]:
    """Issue one key per organisation into the key file ``path``."""
    store = ApiKeyStore(path)
    return {org: store.add(org, "2026-11-27T06:00:00+00:00") for org in orgs}


@contextlib.asynccontextmanager
async def running_bridge(
    bootstrap: str,
    names: TopicNames,
    registry_url: str,
    keys_file: Path,
    webhooks: Mapping[str, WebhookTarget] | None = None,
) -> AsyncIterator[str]:
    """Run a bridge on a free loopback port until the block ends; yield its URL."""
    config = BridgeConfig(
        bootstrap=bootstrap, registry_url=registry_url, keys_file=keys_file, names=names,
        port=free_port(), keepalive_s=0.5, webhooks=dict(webhooks or {}), retry=FAST_RETRY,
    )  # fmt: skip

    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await serve_bridge(config, stop, ready)

    async with running_service(main):
        yield config.url()


@dataclass
class Receiver:
    """A webhook receiver that answers 500 to the first ``failures`` POSTs, then 200."""

    failures: int
    attempts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    accepted: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        """Record the POST and fail or accept it."""
        item = (dict(request.headers), await request.body())
        self.attempts.append(item)
        if len(self.attempts) <= self.failures:
            return Response(status_code=500)
        self.accepted.append(item)
        return Response(status_code=204)


class _Quiet(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """Serve ``receiver`` on a free loopback port; yield its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    server = _Quiet(uvicorn.Config(app, log_config=None, lifespan="off", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass(frozen=True)
class SseMessage:
    """One server-sent event."""

    id: str
    event: str
    data: str


async def read_sse(
    http: httpx.AsyncClient, url: str, headers: Mapping[str, str], count: int
) -> list[SseMessage]:
    """Read ``count`` messages from the SSE stream at ``url``, then disconnect."""
    messages: list[SseMessage] = []
    fields: dict[str, str] = {}
    async with http.stream("GET", url, headers=dict(headers)) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line == "" and "id" in fields:
                messages.append(SseMessage(fields["id"], fields["event"], fields["data"]))
                fields = {}
                if len(messages) == count:
                    break
            elif line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value
    return messages


async def first_line(http: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> str:
    """The first non-empty line of the SSE stream at ``url``."""
    async with http.stream("GET", url, headers=dict(headers)) as response:
        async for line in response.aiter_lines():
            if line:
                return line
    return ""
