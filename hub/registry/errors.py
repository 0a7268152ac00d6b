"""Errors of the schema registry, each with the HTTP status and Confluent error code it maps to.

The codes are those of Confluent Schema Registry's REST API, so that any Confluent client reacts
to them as it would to Confluent's own registry: ``40401`` subject not found, ``40402`` version
not found, ``40403`` schema not found, ``40404`` subject soft-deleted, ``40406`` version
soft-deleted, ``40408`` no subject-level compatibility, ``409`` incompatible schema, ``42201``
invalid schema, ``42202`` invalid version, ``42203`` invalid compatibility level, ``42205``
operation not permitted, ``50001`` storage failure; a body that is not JSON gets ``400``; a
write without the hub's credentials ``40101`` (HTTP 401, with ``WWW-Authenticate``).
"""

from __future__ import annotations

from collections.abc import Sequence

from hub.errors import HubError

__all__ = [
    "IncompatibleSchema",
    "InvalidCompatibilityLevel",
    "InvalidSchema",
    "InvalidVersion",
    "MalformedRequest",
    "OperationNotPermitted",
    "RegistryPortInUse",
    "SchemaNotFound",
    "SchemaRegistryError",
    "StorageFailure",
    "SubjectCompatibilityNotConfigured",
    "SubjectNotFound",
    "SubjectSoftDeleted",
    "Unauthenticated",
    "VersionNotFound",
    "VersionSoftDeleted",
]

LEVELS_TEXT = (
    "none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
)


class SchemaRegistryError(HubError):
    """Root of the registry's errors; ``http_status`` and ``error_code`` shape the REST answer."""

    http_status = 500
    error_code = 50001


class MalformedRequest(SchemaRegistryError, ValueError):
    """A request body that is not the JSON object the endpoint expects."""

    http_status = 400
    error_code = 400

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class SubjectNotFound(SchemaRegistryError, LookupError):
    """No (live) version is registered under ``subject``."""

    http_status = 404
    error_code = 40401

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFound(SchemaRegistryError, LookupError):
    """``subject`` exists but has no (live) ``version``."""

    http_status = 404
    error_code = 40402

    def __init__(self, subject: str, version: int | str) -> None:
        self.subject = subject
        self.version = version
        super().__init__(f"Version {version} not found.")


class SchemaNotFound(SchemaRegistryError, LookupError):
    """No schema has ``schema_id``, or the posted schema is not registered under the subject."""

    http_status = 404
    error_code = 40403

    def __init__(self, schema_id: int | None = None) -> None:
        self.schema_id = schema_id
        super().__init__(
            "Schema not found" if schema_id is None else f"Schema {schema_id} not found"
        )


class SubjectSoftDeleted(SchemaRegistryError, LookupError):
    """Every version of ``subject`` is already soft-deleted."""

    http_status = 404
    error_code = 40404

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(f"Subject '{subject}' was soft deleted.")


class VersionSoftDeleted(SchemaRegistryError, LookupError):
    """``version`` of ``subject`` is already soft-deleted."""

    http_status = 404
    error_code = 40406

    def __init__(self, subject: str, version: int) -> None:
        self.subject = subject
        self.version = version
        super().__init__(f"Subject '{subject}' Version {version} was soft deleted.")


class SubjectCompatibilityNotConfigured(SchemaRegistryError, LookupError):
    """``subject`` has no compatibility level of its own (ask with ``defaultToGlobal=true``)."""

    http_status = 404
    error_code = 40408

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class IncompatibleSchema(SchemaRegistryError, ValueError):
    """The schema breaks the compatibility level of ``subject``; ``messages`` say where and why."""

    http_status = 409
    # Confluent Platform up to 8.0.3 (and the API reference) answer error_code 409; later
    # releases answer 40901. Clients decide on the HTTP status, which is 409 in both.
    error_code = 409

    def __init__(self, subject: str, messages: Sequence[str]) -> None:
        self.subject = subject
        self.messages = tuple(messages)
        super().__init__(
            "Schema being registered is incompatible with an earlier schema for subject "
            f'"{subject}", details: [{", ".join(self.messages)}]',
            fix="make the change compatible (for example give a new field a default) "
            "or register it under a new subject.",
        )


class InvalidSchema(SchemaRegistryError, ValueError):
    """The posted schema is not a valid Avro schema, or not of a type this registry accepts."""

    http_status = 422
    error_code = 42201

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class InvalidVersion(SchemaRegistryError, ValueError):
    """A version in a path is neither an integer in [1, 2^31-1] nor ``latest``."""

    http_status = 422
    error_code = 42202

    def __init__(self, version: str) -> None:
        self.version = version
        super().__init__(
            f"The specified version '{version}' is not a valid version id. "
            'Allowed values are between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevel(SchemaRegistryError, ValueError):
    """A compatibility level that is not one of the seven Confluent levels."""

    http_status = 422
    error_code = 42203

    def __init__(self, level: object) -> None:
        self.level = level
        super().__init__(f"Invalid compatibility level. Valid values are {LEVELS_TEXT}")


class OperationNotPermitted(SchemaRegistryError, ValueError):
    """An operation this registry refuses on purpose (permanent deletes, import mode)."""

    http_status = 422
    error_code = 42205

    def __init__(self, operation: str, reason: str) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__(f"{operation} is not permitted: {reason}")


class StorageFailure(SchemaRegistryError, RuntimeError):
    """The registry's Kafka topic could not be read or written; nothing was changed."""

    http_status = 500
    error_code = 50001

    def __init__(self, topic: str, message: str, *, fix: str | None = None) -> None:
        self.topic = topic
        super().__init__(f"Schema storage topic {topic}: {message}", fix=fix)


class Unauthenticated(SchemaRegistryError, PermissionError):
    """A request that changes the registry came without valid hub credentials."""

    http_status = 401
    error_code = 40101
    challenge = (
        'Basic realm="kcr-schema-registry", charset="UTF-8", Bearer realm="kcr-schema-registry"'
    )
    """The ``WWW-Authenticate`` value of the 401 answer (RFC 9110 section 11.6.1)."""

    def __init__(self, problem: str, source: str) -> None:
        self.problem = problem
        super().__init__(
            f"{problem} Registering schemas, setting compatibility or mode and deleting need "
            "the hub's credentials (reads stay open).",
            fix=f"send Authorization: Basic user:password or Bearer <password> with {source}; "
            "partners only read, with auto.register.schemas=false.",
        )


class RegistryPortInUse(HubError, OSError):
    """The registry cannot listen on ``host``:``port`` because something else does."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host = host
        self.port = port
        super().__init__(
            f"The schema registry cannot listen on {host}:{port}: {reason}.",
            fix="stop the process on that port, or choose another with --port "
            "(and point KCR_REGISTRY_URL at it).",
        )
