"""The bridge's FastAPI application: routes, problem-details error handling, OpenAPI.

``GET /openapi.json`` describes every route: its request bodies (the CloudEvents schemas
generated from the contracts, CAP and EDXL as XML, the capacity CSV columns), every status it
answers with the problem-details schema, and the outbox's ``Last-Event-ID`` format.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from hub.bridge.context import CHALLENGE, BridgeContext
from hub.bridge.openapi import install
from hub.bridge.problems import MEDIA_TYPE, BridgeProblem, FieldError
from hub.bridge.routes import router
from hub.logs import get_logger

__all__ = ["create_app"]

_log = get_logger("hub.bridge")
_DESCRIPTION = (
    "For control rooms that cannot speak Kafka: publish CloudEvents JSON, CAP 1.2, EDXL and "
    "capacity CSV to the organisation's ingress topic, and follow its outbox as server-sent "
    "events. Errors are RFC 9457 problem details."
)


def create_app(context: BridgeContext) -> FastAPI:
    """The bridge's ASGI application using ``context``."""
    app = FastAPI(title="KCR hub REST bridge", version="1", description=_DESCRIPTION)
    app.state.bridge = context
    app.include_router(router)
    install(app)
    app.add_exception_handler(BridgeProblem, _problem)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def problem_response(request: Request, problem: BridgeProblem) -> JSONResponse:
    """``problem`` as an ``application/problem+json`` response (a 401 always challenges)."""
    body = problem.to_problem(request.url.path).model_dump(mode="json", exclude_none=True)
    headers = dict(problem.headers)
    if problem.status == 401:
        headers.setdefault("WWW-Authenticate", CHALLENGE)
    return JSONResponse(body, status_code=problem.status, media_type=MEDIA_TYPE, headers=headers)


async def _problem(request: Request, error: Exception) -> JSONResponse:
    """One INFO line per refused request (a client gone mid-body too), never a traceback."""
    assert isinstance(error, BridgeProblem)
    client = request.client.host if request.client else None
    _log.info(
        "bridge.refused", path=request.url.path, status=error.status, slug=error.slug, peer=client
    )
    return problem_response(request, error)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    slug = "not-found" if error.status_code == 404 else f"http-{error.status_code}"
    problem = BridgeProblem(error.status_code, slug, str(error.detail), headers=error.headers)
    return problem_response(request, problem)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldError(field=".".join(str(part) for part in item["loc"]), message=item["msg"])
        for item in error.errors()
    ]
    return problem_response(request, BridgeProblem(422, "invalid-request", "Bad request.", errors))
