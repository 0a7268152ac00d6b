"""What keeps the bridge serving under slow or greedy clients: timeouts and per-client caps.

uvicorn has a keep-alive timeout (an idle connection between requests is closed) and a global
``limit_concurrency`` (503 for everyone once reached), but no header or body read timeout and no
cap per client. What it lacks is added here, at the layer that sees it:

- **headers** (:func:`guarded_protocol`, uvicorn's h11 protocol with a timer): a request's
  headers must be complete within ``header_timeout_s`` of its first byte (or of the connection,
  for the first request), else 408 and the connection is closed. This is what closes
  slow-header clients before they ever reach authentication.
- **connections per peer address** (the same protocol): more than ``max_connections_per_peer``
  open connections from one address are answered 503 and closed at once; the other peers are
  served as before.
- **body** (:func:`hub.bridge.context.read_body`): the whole body must arrive within
  ``body_timeout_s`` of the request, else 408 (a 1 byte/s body is cut off).
- **requests per organisation** (:class:`OrgSlots`, after authentication): at most
  ``max_requests_per_org`` requests (outbox streams included) of one organisation at a time,
  else 429 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from hub.logs import get_logger

__all__ = ["BridgeLimits", "OrgSlots", "guarded_protocol"]

_log = get_logger("hub.bridge")


@dataclass(frozen=True)
class BridgeLimits:
    """Timeouts and caps of the bridge (``KCR_BRIDGE_*``; tests make them small)."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections_per_peer: int = 32
    max_requests_per_org: int = 16


class OrgSlots:
    """How many requests each organisation has in flight, capped at ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_flight: Counter[str] = Counter()

    def take(self, org: str) -> bool:
        """Take a slot for ``org``; False (nothing taken) when it already has ``limit``."""
        if self._in_flight[org] >= self.limit:
            return False
        self._in_flight[org] += 1
        return True

    def give_back(self, org: str) -> None:
        """Return a slot taken by :meth:`take`."""
        self._in_flight[org] -= 1
        if self._in_flight[org] <= 0:
            del self._in_flight[org]


def _raw_response(status: int, reason: str, detail: str, extra: str = "") -> bytes:
    """A whole problem-details response, for answers given before h11 has a request."""
    body = json.dumps(
        {"type": f"urn:kcr:problem:http-{status}", "title": reason, "status": status,
         "detail": detail}
    ).encode()  # fmt: skip
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n{extra}\r\n"
    )
    return head.encode() + body


class _GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a header read timeout and a cap on connections per peer."""

    limits: ClassVar[BridgeLimits]
    peers: ClassVar[Counter[str]]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Count the peer's connection; refuse it over the cap, else start the header timer."""
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = None
        self._peer = self.client[0] if self.client else "unknown"
        self.peers[self._peer] += 1
        self._refused = self.peers[self._peer] > self.limits.max_connections_per_peer
        if self._refused:
            self._refuse(transport)
            return
        self._arm()

    def _refuse(self, transport: asyncio.Transport) -> None:
        limit = self.limits.max_connections_per_peer
        if self.peers[self._peer] == limit + 1:  # once per crossing, not per refused connection
            _log.info("bridge.peer_limit", peer=self._peer, limit=limit)
        detail = f"More than {limit} open connections from {self._peer}: close some and retry."
        transport.write(_raw_response(503, "Service Unavailable", detail, "retry-after: 5\r\n"))
        transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the timer and uncount the peer's connection."""
        self._disarm()
        self.peers[self._peer] -= 1
        if self.peers[self._peer] <= 0:
            del self.peers[self._peer]
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Time the headers of every request from its first byte until they are complete."""
        if self._refused:
            return
        waiting = self._awaiting_headers()
        if waiting and self._timer is None:
            self._arm()
        super().data_received(data)
        if not self._awaiting_headers():
            self._disarm()

    def _awaiting_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._timer = self.loop.call_later(self.limits.header_timeout_s, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _headers_too_slow(self) -> None:
        self._timer = None
        if self.transport.is_closing() or not self._awaiting_headers():
            return
        seconds = self.limits.header_timeout_s
        _log.info("bridge.header_timeout", peer=self._peer, timeout_s=seconds)
        detail = f"The request headers did not arrive within {seconds:g} s."
        self.transport.write(_raw_response(408, "Request Timeout", detail))
        self.transport.close()


def guarded_protocol(limits: BridgeLimits) -> type[Any]:
    """An h11 protocol class for uvicorn's ``http`` setting that enforces ``limits``."""
    return type("GuardedH11", (_GuardedH11,), {"limits": limits, "peers": Counter()})
