"""The REST endpoints, with the paths, parameters and JSON shapes of Confluent's registry API.

Differences from Confluent, on purpose: only AVRO schemas, no schema references, no contexts,
no IMPORT mode, and no permanent deletes (``permanent=true`` answers 42205): the hub keeps its
event log forever, so every schema id must stay resolvable. Soft deletes work as in Confluent.
``normalize`` is accepted; schemas are always stored in canonical form, so it changes nothing.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from hub.registry.avro_schema import AVRO, AvroSchema, parse_avro
from hub.registry.compatibility import CompatibilityLevel
from hub.registry.errors import (
    InvalidSchema,
    MalformedRequest,
    OperationNotPermitted,
    SubjectCompatibilityNotConfigured,
)
from hub.registry.service import Registry
from hub.registry.state import RegisteredSchema, parse_version

__all__ = ["MEDIA_TYPE", "RegistryResponse", "router"]

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
_ANY_SUBJECT = ":*:"
_MODE = "READWRITE"
_FOREVER = "the hub keeps its event log forever, so every schema id must stay resolvable"

router = APIRouter()


class RegistryResponse(JSONResponse):
    """A JSON response with the registry's content type."""

    media_type = MEDIA_TYPE


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


Service = Annotated[Registry, Depends(_registry)]
Deleted = Annotated[bool, Query(description="Include soft-deleted subjects or versions.")]
DeletedOnly = Annotated[bool, Query(alias="deletedOnly", description="Only soft-deleted ones.")]
Permanent = Annotated[bool, Query(description="Hard delete: refused by this registry.")]
Normalize = Annotated[bool, Query(description="Accepted; schemas are always canonical.")]
Verbose = Annotated[bool, Query(description="Also answer why a schema is incompatible.")]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(description="Page size; negative means all.")]


async def _read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError as error:
        raise MalformedRequest(f"The request body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise MalformedRequest("The request body must be a JSON object.")
    return body


def _schema_from(body: dict[str, Any]) -> AvroSchema:
    schema_type = body.get("schemaType") or AVRO
    if str(schema_type).upper() != AVRO:
        raise InvalidSchema(
            f"Schema type {schema_type} is not supported: this registry stores AVRO schemas only."
        )
    if body.get("references"):
        raise InvalidSchema(
            "Schema references are not supported: register a self-contained schema."
        )
    text = body.get("schema")
    if not isinstance(text, str):
        raise InvalidSchema("Empty schema")
    return parse_avro(text)


def _page(items: list[Any], offset: int, limit: int) -> list[Any]:
    return items[offset:] if limit < 0 else items[offset : offset + limit]


def _version_json(registered: RegisteredSchema) -> dict[str, Any]:
    # schemaType is left out for AVRO, as Confluent's registry does (clients default to AVRO).
    return {
        "subject": registered.subject,
        "version": registered.version,
        "id": registered.schema_id,
        "schema": registered.schema,
    }


def _refuse_permanent(permanent: bool) -> None:
    if permanent:
        raise OperationNotPermitted("A permanent delete", _FOREVER)


@router.get("/")
async def root() -> dict[str, str]:
    """An empty object: the liveness answer of Confluent's registry."""
    return {}


@router.get("/schemas/types")
async def schema_types() -> list[str]:
    """The schema types this registry accepts: AVRO only."""
    return [AVRO]


@router.get("/schemas/ids/{schema_id}")
async def schema_by_id(schema_id: int, registry: Service) -> dict[str, str]:
    """The schema with this global id (soft-deleted versions keep it resolvable)."""
    return {"schema": registry.state.schema(schema_id).canonical}


@router.get("/schemas/ids/{schema_id}/schema")
async def raw_schema_by_id(schema_id: int, registry: Service) -> Response:
    """The schema text with this id, as the whole body."""
    return Response(registry.state.schema(schema_id).canonical, media_type=MEDIA_TYPE)


@router.get("/schemas/ids/{schema_id}/versions")
async def versions_of_id(
    schema_id: int, registry: Service, subject: str | None = None, deleted: Deleted = False
) -> list[dict[str, Any]]:
    """The subject/version pairs that use this schema id."""
    usages = registry.state.usages(schema_id, subject=subject, deleted=deleted)
    return [{"subject": name, "version": number} for name, number in usages]


@router.get("/schemas/ids/{schema_id}/subjects")
async def subjects_of_id(
    schema_id: int, registry: Service, subject: str | None = None, deleted: Deleted = False
) -> list[str]:
    """The subjects that use this schema id."""
    usages = registry.state.usages(schema_id, subject=subject, deleted=deleted)
    return list(dict.fromkeys(name for name, _ in usages))


@router.get("/subjects")
async def subjects(
    registry: Service,
    subject_prefix: Annotated[str, Query(alias="subjectPrefix")] = "",
    deleted: Deleted = False,
    deleted_only: DeletedOnly = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[str]:
    """The subjects with a live version (or soft-deleted ones, asked for), sorted."""
    prefix = "" if subject_prefix == _ANY_SUBJECT else subject_prefix
    found = registry.state.subjects(deleted=deleted, deleted_only=deleted_only)
    return _page([name for name in found if name.startswith(prefix)], offset, limit)


@router.get("/subjects/{subject}/versions")
async def versions(
    subject: str,
    registry: Service,
    deleted: Deleted = False,
    deleted_only: DeletedOnly = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[int]:
    """The versions of a subject, ascending."""
    found = registry.state.versions(subject, deleted=deleted, deleted_only=deleted_only)
    return _page(found, offset, limit)


@router.post("/subjects/{subject}/versions")
async def register(
    subject: str, request: Request, registry: Service, normalize: Normalize = False
) -> dict[str, int]:
    """Register a schema under a subject: its global id; the same schema again keeps its id."""
    body = await _read_body(request)
    if body.get("id") is not None or body.get("version") is not None:
        raise OperationNotPermitted(
            "Registering with a chosen id or version", "this registry has no IMPORT mode"
        )
    schema = _schema_from(body)
    registered = await registry.execute(lambda state: state.plan_register(subject, schema))
    return {"id": registered.schema_id}


@router.get("/subjects/{subject}/versions/{version}")
async def version(
    subject: str, version: str, registry: Service, deleted: Deleted = False
) -> dict[str, Any]:
    """One version (a number or ``latest``) of a subject."""
    found = registry.state.get_version(subject, parse_version(version), deleted=deleted)
    return _version_json(found)


@router.get("/subjects/{subject}/versions/{version}/schema")
async def version_schema(
    subject: str, version: str, registry: Service, deleted: Deleted = False
) -> Response:
    """The schema text of one version, as the whole body."""
    found = registry.state.get_version(subject, parse_version(version), deleted=deleted)
    return Response(found.schema, media_type=MEDIA_TYPE)


@router.get("/subjects/{subject}/versions/{version}/referencedby")
async def referenced_by(subject: str, version: str, registry: Service) -> list[int]:
    """The ids of schemas referencing this version: none, as references are not supported."""
    registry.state.get_version(subject, parse_version(version), deleted=True)
    return []


@router.delete("/subjects/{subject}/versions/{version}")
async def delete_version(
    subject: str, version: str, registry: Service, permanent: Permanent = False
) -> int:
    """Soft-delete one version; its schema id stays resolvable."""
    _refuse_permanent(permanent)
    number = parse_version(version)
    return await registry.execute(lambda state: state.plan_delete_version(subject, number))


@router.post("/subjects/{subject}")
async def lookup(
    subject: str,
    request: Request,
    registry: Service,
    normalize: Normalize = False,
    deleted: Deleted = False,
) -> dict[str, Any]:
    """Whether a schema is registered under a subject: its subject, version, id and schema."""
    schema = _schema_from(await _read_body(request))
    return _version_json(registry.state.lookup(subject, schema, deleted=deleted))


@router.delete("/subjects/{subject}")
async def delete_subject(
    subject: str, registry: Service, permanent: Permanent = False
) -> list[int]:
    """Soft-delete every live version of a subject; answer the versions deleted."""
    _refuse_permanent(permanent)
    return await registry.execute(lambda state: state.plan_delete_subject(subject))


async def _compatibility(
    registry: Registry, subject: str, request: Request, version: int | None, *, verbose: bool
) -> dict[str, Any]:
    try:
        schema = _schema_from(await _read_body(request))
    except InvalidSchema as error:
        if not verbose:
            raise
        return {"is_compatible": False, "messages": [error.message]}
    messages = registry.state.check_compatibility(subject, schema, version)
    answer: dict[str, Any] = {"is_compatible": not messages}
    if verbose:
        answer["messages"] = messages
    return answer


@router.post("/compatibility/subjects/{subject}/versions/{version}")
async def compatible_with_version(
    subject: str, version: str, request: Request, registry: Service, verbose: Verbose = False
) -> dict[str, Any]:
    """Whether a schema may follow one version (number or ``latest``) under the subject's level."""
    number = parse_version(version)
    return await _compatibility(registry, subject, request, number, verbose=verbose)


@router.post("/compatibility/subjects/{subject}/versions")
async def compatible_with_subject(
    subject: str, request: Request, registry: Service, verbose: Verbose = False
) -> dict[str, Any]:
    """Whether a schema may be registered under the subject (the same check as registration)."""
    return await _compatibility(registry, subject, request, None, verbose=verbose)


@router.get("/config")
async def global_config(registry: Service) -> dict[str, str]:
    """The global compatibility level."""
    return {"compatibilityLevel": registry.state.level()}


@router.put("/config")
async def set_global_config(request: Request, registry: Service) -> dict[str, str]:
    """Set the global compatibility level; the request is echoed."""
    level = CompatibilityLevel.parse((await _read_body(request)).get("compatibility"))
    changed = await registry.execute(lambda state: state.plan_set_level(None, level))
    return {"compatibility": changed}


@router.delete("/config")
async def delete_global_config(registry: Service) -> dict[str, str]:
    """Revert the global level to the registry's default; answer the level it had."""
    old = await registry.execute(lambda state: state.plan_clear_level(None))
    return {"compatibilityLevel": old}


@router.get("/config/{subject}")
async def subject_config(
    subject: str,
    registry: Service,
    default_to_global: Annotated[bool, Query(alias="defaultToGlobal")] = False,
) -> dict[str, str]:
    """A subject's own level; with ``defaultToGlobal`` the level in force for it."""
    level = registry.state.configured_level(subject)
    if level is None and not default_to_global:
        raise SubjectCompatibilityNotConfigured(subject)
    return {"compatibilityLevel": registry.state.level(subject)}


@router.put("/config/{subject}")
async def set_subject_config(subject: str, request: Request, registry: Service) -> dict[str, str]:
    """Set a subject's own level; the request is echoed."""
    level = CompatibilityLevel.parse((await _read_body(request)).get("compatibility"))
    changed = await registry.execute(lambda state: state.plan_set_level(subject, level))
    return {"compatibility": changed}


@router.delete("/config/{subject}")
async def delete_subject_config(subject: str, registry: Service) -> dict[str, str]:
    """Drop a subject's own level (it follows the global one again); answer the level it had."""
    old = await registry.execute(lambda state: state.plan_clear_level(subject))
    return {"compatibilityLevel": old}


@router.get("/mode")
async def mode() -> dict[str, str]:
    """The registry's mode: always READWRITE."""
    return {"mode": _MODE}


@router.put("/mode")
async def set_mode(request: Request) -> dict[str, str]:
    """Set the mode: only READWRITE, the one mode this registry has, is accepted (and echoed)."""
    wanted = (await _read_body(request)).get("mode")
    if str(wanted).upper() != _MODE:
        raise OperationNotPermitted(f"Mode {wanted}", f"this registry is always {_MODE}")
    return {"mode": _MODE}
