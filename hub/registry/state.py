"""The registry's state and decisions: pure logic, no HTTP, no Kafka.

:class:`RegistryState` is rebuilt by applying the topic's records in order (:meth:`apply`).
The ``plan_*`` methods decide a change without making it: they return a :class:`Plan` with the
records to write and the answer to give, or raise a :class:`SchemaRegistryError`. The caller
writes the records and applies them; nothing changes when a decision is refused.

Semantics follow Confluent's registry: schema ids are global (the same canonical schema gets the
same id under every subject), versions count per subject and are never reused, soft-deleted
versions keep their id resolvable, and a subject's compatibility level falls back to the global
level, which falls back to the configured default.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from hub.registry.avro_schema import AvroSchema, parse_avro
from hub.registry.compatibility import (
    DEFAULT_COMPATIBILITY,
    CompatibilityLevel,
    compatibility_errors,
)
from hub.registry.errors import (
    IncompatibleSchema,
    InvalidVersion,
    SchemaNotFound,
    SubjectNotFound,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionSoftDeleted,
)
from hub.registry.records import ConfigChanged, Record, SchemaVersionWritten, SubjectDeleted

__all__ = ["LATEST", "Plan", "RegisteredSchema", "RegistryState", "parse_version"]

LATEST = -1
_MAX_VERSION = 2**31 - 1
T = TypeVar("T")


def parse_version(text: str) -> int:
    """A version from a URL: an integer in [1, 2^31-1], or ``latest`` (and ``-1``) as LATEST."""
    if text.strip().lower() == "latest":
        return LATEST
    try:
        version = int(text.strip())
    except ValueError:
        raise InvalidVersion(text) from None
    if version == LATEST or 1 <= version <= _MAX_VERSION:
        return version
    raise InvalidVersion(text)


@dataclass(frozen=True)
class RegisteredSchema:
    """One version of a subject: its schema id and canonical schema text."""

    subject: str
    version: int
    schema_id: int
    schema: str
    deleted: bool = False


@dataclass(frozen=True)
class Plan(Generic[T]):
    """A decided change: the ``records`` to write, then the ``result`` to answer."""

    result: T
    records: tuple[Record, ...] = ()


@dataclass(frozen=True)
class _Version:
    schema_id: int
    deleted: bool


class RegistryState:
    """Subjects, versions, schema ids and compatibility levels, built from the records."""

    def __init__(self, default_level: CompatibilityLevel = DEFAULT_COMPATIBILITY) -> None:
        self.default_level = default_level
        self._schemas: dict[int, AvroSchema] = {}
        self._ids: dict[str, int] = {}
        self._subjects: dict[str, dict[int, _Version]] = {}
        self._levels: dict[str | None, CompatibilityLevel] = {}

    # -- applying records ------------------------------------------------------------------

    def apply(self, record: Record) -> None:
        """Change the state by one record (from the topic, or just written to it)."""
        match record:
            case SchemaVersionWritten():
                self._apply_version(record)
            case SubjectDeleted(subject, up_to_version):
                versions = self._subjects.get(subject, {})
                for number, entry in versions.items():
                    if number <= up_to_version:
                        versions[number] = _Version(entry.schema_id, deleted=True)
            case ConfigChanged(subject, None):
                self._levels.pop(subject, None)
            case ConfigChanged(subject, level) if level is not None:
                self._levels[subject] = level

    def _apply_version(self, record: SchemaVersionWritten) -> None:
        if record.schema_id not in self._schemas:
            schema = parse_avro(record.schema)
            self._schemas[record.schema_id] = schema
            self._ids.setdefault(schema.canonical, record.schema_id)
        versions = self._subjects.setdefault(record.subject, {})
        versions[record.version] = _Version(record.schema_id, record.deleted)

    # -- reading ----------------------------------------------------------------------------

    @property
    def next_id(self) -> int:
        """The id the next new schema gets (ids are never reused)."""
        return max(self._schemas, default=0) + 1

    def subjects(self, *, deleted: bool = False, deleted_only: bool = False) -> list[str]:
        """Subjects with a live version; with ``deleted`` also soft-deleted ones, or only those."""
        found = []
        for subject, versions in self._subjects.items():
            all_deleted = all(entry.deleted for entry in versions.values())
            if (deleted_only and all_deleted) or (
                not deleted_only and (deleted or not all_deleted)
            ):
                found.append(subject)
        return sorted(found)

    def versions(
        self, subject: str, *, deleted: bool = False, deleted_only: bool = False
    ) -> list[int]:
        """The live versions of ``subject``; with ``deleted`` all of them, or only deleted ones."""
        if not self._has_versions(subject, include_deleted=deleted or deleted_only):
            raise SubjectNotFound(subject)
        return sorted(
            number
            for number, entry in self._subjects[subject].items()
            if (entry.deleted if deleted_only else deleted or not entry.deleted)
        )

    def get_version(self, subject: str, version: int, *, deleted: bool = False) -> RegisteredSchema:
        """Version ``version`` (or LATEST) of ``subject``; soft-deleted only with ``deleted``."""
        candidates = dict(self._entries(subject, include_deleted=deleted))
        number = max(candidates, default=None) if version == LATEST else version
        if number is None or number not in candidates:
            if not candidates:
                raise SubjectNotFound(subject)
            raise VersionNotFound(subject, version)
        return self._registered(subject, number, candidates[number])

    def schema(self, schema_id: int) -> AvroSchema:
        """The schema with ``schema_id`` (soft-deleted usages keep it resolvable)."""
        try:
            return self._schemas[schema_id]
        except KeyError:
            raise SchemaNotFound(schema_id) from None

    def usages(
        self, schema_id: int, *, subject: str | None = None, deleted: bool = False
    ) -> list[tuple[str, int]]:
        """The (subject, version) pairs that use ``schema_id``, optionally within one subject."""
        self.schema(schema_id)
        return sorted(
            (name, number)
            for name in ([subject] if subject is not None else list(self._subjects))
            for number, entry in self._entries(name, include_deleted=deleted)
            if entry.schema_id == schema_id
        )

    def lookup(
        self, subject: str, schema: AvroSchema, *, deleted: bool = False
    ) -> RegisteredSchema:
        """The version of ``subject`` that holds ``schema``; the live one when there are several."""
        schema_id = self._ids.get(schema.canonical)
        matches = [
            (number, entry)
            for number, entry in self._entries(subject, include_deleted=deleted)
            if entry.schema_id == schema_id
        ]
        if matches:
            number, entry = min(matches, key=lambda match: (match[1].deleted, -match[0]))
            return self._registered(subject, number, entry)
        if not self._has_versions(subject, include_deleted=deleted):
            raise SubjectNotFound(subject)
        raise SchemaNotFound()

    def level(self, subject: str | None = None) -> CompatibilityLevel:
        """The level in force for ``subject``: its own, else the global one, else the default."""
        if subject is not None and subject in self._levels:
            return self._levels[subject]
        return self._levels.get(None, self.default_level)

    def configured_level(self, subject: str) -> CompatibilityLevel | None:
        """The level set for ``subject`` itself, if any."""
        return self._levels.get(subject)

    def check_compatibility(
        self, subject: str, schema: AvroSchema, version: int | None
    ) -> list[str]:
        """Why ``schema`` breaks the level of ``subject`` against ``version``; empty if it doesn't.

        ``version`` None checks the live versions the level asks for (as registration does),
        LATEST the latest live version (none: compatible), a number that live version.
        """
        live = self._live(subject)
        if version is None:
            previous = live
        elif version == LATEST:
            previous = live[-1:]
        else:
            previous = [(number, old) for number, old in live if number == version]
            if not previous:
                raise VersionNotFound(subject, version)
        return compatibility_errors(self.level(subject), schema, previous)

    # -- deciding ---------------------------------------------------------------------------

    def plan_register(self, subject: str, schema: AvroSchema) -> Plan[RegisteredSchema]:
        """Register ``schema`` under ``subject`` if it passes the subject's level.

        A schema already live under the subject answers its existing version, with no record;
        otherwise a new version is written with the schema's global id (a new id if it is new).
        """
        schema_id = self._ids.get(schema.canonical)
        for number, entry in self._entries(subject, include_deleted=False):
            if entry.schema_id == schema_id:
                return Plan(self._registered(subject, number, entry))
        errors = compatibility_errors(self.level(subject), schema, self._live(subject))
        if errors:
            raise IncompatibleSchema(subject, errors)
        record = SchemaVersionWritten(
            subject=subject,
            version=max(self._subjects.get(subject, {}), default=0) + 1,
            schema_id=self.next_id if schema_id is None else schema_id,
            schema=schema.canonical,
        )
        registered = RegisteredSchema(subject, record.version, record.schema_id, record.schema)
        return Plan(registered, (record,))

    def plan_delete_subject(self, subject: str) -> Plan[list[int]]:
        """Soft-delete every live version of ``subject`` and drop its own level."""
        if not self._has_versions(subject, include_deleted=True):
            raise SubjectNotFound(subject)
        live = [number for number, _ in self._entries(subject, include_deleted=False)]
        if not live:
            raise SubjectSoftDeleted(subject)
        records: list[Record] = [SubjectDeleted(subject, max(live))]
        if subject in self._levels:
            records.append(ConfigChanged(subject, None))
        return Plan(sorted(live), tuple(records))

    def plan_delete_version(self, subject: str, version: int) -> Plan[int]:
        """Soft-delete one live version (or LATEST); the last one also drops the subject's level."""
        if version == LATEST:
            version = self.get_version(subject, LATEST).version
        entry = self._subjects.get(subject, {}).get(version)
        if entry is None:
            if not self._has_versions(subject, include_deleted=True):
                raise SubjectNotFound(subject)
            raise VersionNotFound(subject, version)
        if entry.deleted:
            raise VersionSoftDeleted(subject, version)
        schema = self._schemas[entry.schema_id].canonical
        records: list[Record] = [
            SchemaVersionWritten(subject, version, entry.schema_id, schema, deleted=True)
        ]
        others_live = any(n != version for n, _ in self._entries(subject, include_deleted=False))
        if not others_live and subject in self._levels:
            records.append(ConfigChanged(subject, None))
        return Plan(version, tuple(records))

    def plan_set_level(
        self, subject: str | None, level: CompatibilityLevel
    ) -> Plan[CompatibilityLevel]:
        """Set the level of ``subject`` (None: the global level); writes nothing if it is set.

        Every hub service sets its subjects' levels when it starts: a restart under load must
        not append (and wait for) one unchanged config record per subject.
        """
        if self._levels.get(subject) == level:
            return Plan(level)
        return Plan(level, (ConfigChanged(subject, level),))

    def plan_clear_level(self, subject: str | None) -> Plan[CompatibilityLevel]:
        """Clear the level of ``subject`` (None: the global one); answer the level it had."""
        if subject is not None and subject not in self._levels:
            raise SubjectNotFound(subject)
        old = self.level(subject)
        records = (ConfigChanged(subject, None),) if subject in self._levels else ()
        return Plan(old, records)

    # -- helpers ----------------------------------------------------------------------------

    def _entries(self, subject: str, *, include_deleted: bool) -> Iterator[tuple[int, _Version]]:
        for number, entry in sorted(self._subjects.get(subject, {}).items()):
            if include_deleted or not entry.deleted:
                yield number, entry

    def _has_versions(self, subject: str, *, include_deleted: bool) -> bool:
        return any(True for _ in self._entries(subject, include_deleted=include_deleted))

    def _live(self, subject: str) -> list[tuple[int, AvroSchema]]:
        return [
            (number, self._schemas[entry.schema_id])
            for number, entry in self._entries(subject, include_deleted=False)
        ]

    def _registered(self, subject: str, number: int, entry: _Version) -> RegisteredSchema:
        schema = self._schemas[entry.schema_id].canonical
        return RegisteredSchema(subject, number, entry.schema_id, schema, entry.deleted)
