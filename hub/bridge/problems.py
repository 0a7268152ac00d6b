"""RFC 9457 problem details: every error the bridge answers, with the fields to fix.

A :class:`BridgeProblem` is raised anywhere in a request and answered as
``application/problem+json``: ``type``, ``title``, ``status``, ``detail``, ``instance`` and an
``errors`` list of :class:`FieldError` (``field`` such as ``event[3].data.grip_level``, the
``message`` and the ``fix``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from hub.errors import HubError

__all__ = ["PROBLEM_TYPE_BASE", "BridgeProblem", "FieldError", "Problem", "problem_responses"]

PROBLEM_TYPE_BASE = "urn:kcr:problem:"
"""Problem types are URNs (``urn:kcr:problem:invalid-event``): stable names, not web pages."""
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Missing or unknown API key",
    403: "Not allowed for this organisation",
    404: "Not found",
    408: "Request too slow",
    413: "Request body too large",
    415: "Unsupported content type",
    422: "Invalid content",
    429: "Too many requests from this organisation",
    499: "Client closed the request",
    503: "Kafka unavailable",
}


class FieldError(BaseModel):
    """One problem in the request: where it is, what is wrong, how to fix it."""

    field: str = Field(description="Where, e.g. `event[3].data.grip_level` or `line[4].total`.")
    message: str = Field(description="What is wrong.")
    fix: str | None = Field(default=None, description="What to change.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What happened in this request.")
    instance: str = Field(description="The request path.")
    errors: list[FieldError] = Field(default_factory=list, description="Every field to fix.")
    published: list[str] | None = Field(
        default=None, description="CSV only: ids of the good rows that were published anyway."
    )


class BridgeProblem(HubError):
    """A request the bridge refuses; answered as problem details with ``status``."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        errors: Sequence[FieldError] = (),
        published: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.headers = dict(headers or {})
        self.slug = slug
        self.detail = detail
        self.errors = tuple(errors)
        self.published = None if published is None else list(published)
        super().__init__(f"HTTP {status} {slug}: {detail}")

    def to_problem(self, instance: str) -> Problem:
        """The problem details body of this error for the request path ``instance``."""
        return Problem(
            type=PROBLEM_TYPE_BASE + self.slug,
            title=_TITLES.get(self.status, "Error"),
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=list(self.errors),
            published=self.published,
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` entries declaring problem details for ``statuses``."""
    return {
        status: {
            "model": Problem,
            "description": _TITLES.get(status, "Error"),
            "content": {MEDIA_TYPE: {}},
        }
        for status in statuses
    }
