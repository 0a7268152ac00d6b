"""The FastAPI application: Confluent's content types, error bodies and request parsing.

Responses carry ``application/vnd.schemaregistry.v1+json``, or ``application/json`` when the
client accepts only that. Reads are open; a request that changes the registry needs a writer of
the :class:`~hub.registry.access.WriteAccess` (401 with ``WWW-Authenticate`` otherwise). A
path with a trailing slash (``/config/``, ``/subjects/``) is served as the path without it,
not redirected: python-schema-registry-client asks for ``/config/`` and cannot follow a 307.
Errors have Confluent's body ``{"error_code": n, "message": "..."}``,
also for unknown paths and wrong methods. Request bodies are read as JSON whatever their content
type says, as Confluent's registry accepts ``application/octet-stream`` too.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.logs import get_logger
from hub.registry.access import WriteAccess, changes_registry
from hub.registry.errors import SchemaRegistryError, Unauthenticated
from hub.registry.routes import MEDIA_TYPE, RegistryResponse, router
from hub.registry.service import Registry

__all__ = ["create_app"]

_ACCEPTED_ALIASES = (MEDIA_TYPE, "application/vnd.schemaregistry+json", "*/*", "application/*")
_log = get_logger(__name__)


def create_app(registry: Registry, access: WriteAccess | None = None) -> FastAPI:
    """The registry's ASGI application serving ``registry``; only ``access`` may change it.

    Without ``access`` anyone may write (registries embedded in tests and benchmarks); every
    service entry point (``kcr registry serve``, ``kcr run``) passes one.
    """
    app = FastAPI(
        title="KCR schema registry",
        summary="A Confluent-Schema-Registry-compatible REST API for Avro schemas.",
        default_response_class=RegistryResponse,
        dependencies=[Depends(_writers_only)],
    )
    app.state.registry = registry
    app.state.access = access
    app.include_router(router)
    app.add_exception_handler(SchemaRegistryError, _registry_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(_PlainJsonForPlainClients)
    app.add_middleware(_WithoutTrailingSlash)
    return app


def _writers_only(request: Request) -> None:
    access: WriteAccess | None = request.app.state.access
    if access is None or not changes_registry(request.method, request.url.path):
        return
    user = access.check(request.headers.get("authorization"))
    request.state.writer = user


def _error(status: int, code: int, message: str) -> RegistryResponse:
    return RegistryResponse({"error_code": code, "message": message}, status_code=status)


async def _registry_error(request: Request, error: Exception) -> RegistryResponse:
    assert isinstance(error, SchemaRegistryError)
    _log.info(
        "registry.refused", path=request.url.path, code=error.error_code, reason=error.message
    )
    if isinstance(error, Unauthenticated):
        response = _error(error.http_status, error.error_code, str(error))
        response.headers["WWW-Authenticate"] = error.challenge
        return response
    return _error(error.http_status, error.error_code, error.message)


async def _http_error(_: Request, error: Exception) -> RegistryResponse:
    assert isinstance(error, HTTPException)
    return _error(error.status_code, error.status_code, f"HTTP {error.status_code} {error.detail}")


async def _validation_error(_: Request, error: Exception) -> RegistryResponse:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors()
    )
    return _error(422, 422, f"Invalid request: {problems}")


class _PlainJsonForPlainClients:
    """Answer ``application/json`` to clients that accept neither registry type nor any type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _wants_plain_json(scope):
            await self.app(scope, receive, send)
            return

        async def send_plain(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, b"application/json" if name == b"content-type" else value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_plain)


class _WithoutTrailingSlash:
    """Serve ``/config/`` as ``/config``: clients that cannot follow redirects get an answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            raw: bytes = scope.get("raw_path") or path.encode()
            scope = {**scope, "path": path.rstrip("/") or "/", "raw_path": raw.rstrip(b"/")}
        await self.app(scope, receive, send)


def _wants_plain_json(scope: Scope) -> bool:
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), b"").decode()
    if not accept or any(alias in accept for alias in _ACCEPTED_ALIASES):
        return False
    return "application/json" in accept
