"""The dashboard's FastAPI app: the page, its assets, and a strict Content-Security-Policy.

Every response carries ``Content-Security-Policy: default-src 'self'; script-src 'self';
style-src 'self'`` (plus ``frame-ancestors 'none'``): the page has no inline script or style
and loads nothing from elsewhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from hub.dashboard.context import DashboardContext
from hub.dashboard.errors import DashboardError
from hub.dashboard.routes import router

__all__ = ["CSP", "STATIC_DIR", "create_app"]

STATIC_DIR = Path(__file__).parent / "static"
"""The page's HTML, JavaScript and CSS."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
"""The Content-Security-Policy of every response."""

_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(context: DashboardContext) -> FastAPI:
    """The dashboard app serving ``context``."""
    app = FastAPI(title="KCR dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.context = context
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/", _index, methods=["GET"], include_in_schema=False)
    app.add_exception_handler(DashboardError, _refused)
    app.middleware("http")(_security_headers)
    return app


async def _index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})


async def _refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DashboardError)
    return JSONResponse({"error": error.message, "fix": error.fix}, status_code=error.status)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.update(_HEADERS)
    return response
