"""Compatibility levels and the check run at registration, on the ``avro`` package's checker.

Avro's rule: a *reader* schema can read data written with a *writer* schema if every reader field
is either in the writer schema (with a promotable type) or has a default; extra writer fields are
skipped. The levels say who must read whom:

- ``BACKWARD``: the new schema reads data written with the latest one (new reader, old writer).
  Adding a field with a default and *removing* any field are allowed; adding a required field is
  not.
- ``FORWARD``: the latest schema reads data written with the new one (old reader, new writer).
  Removing a field without a default is refused; adding any field is allowed.
- ``FULL``: both. The ``_TRANSITIVE`` variants check every live version, not only the latest.

The hub's default is ``FULL_TRANSITIVE`` (Confluent's is ``BACKWARD``): its event log is kept
forever and read by partners on old and new schemas alike, so a change must work both ways. In
particular a new version that drops a required field is allowed by ``BACKWARD_TRANSITIVE`` (the
new reader just ignores it) but breaks every consumer still on an older schema; ``FULL_TRANSITIVE``
refuses it, and still accepts the common change of adding an optional field with a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityResult,
    SchemaCompatibilityType,
    SchemaIncompatibilityType,
)

from hub.registry.avro_schema import AvroSchema
from hub.registry.errors import InvalidCompatibilityLevel

__all__ = ["DEFAULT_COMPATIBILITY", "CompatibilityLevel", "compatibility_errors"]


class CompatibilityLevel(StrEnum):
    """The seven compatibility levels of Confluent's registry."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @classmethod
    def parse(cls, value: object) -> CompatibilityLevel:
        """The level named by ``value`` (any case); :class:`InvalidCompatibilityLevel` if none."""
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        raise InvalidCompatibilityLevel(value)

    @property
    def transitive(self) -> bool:
        """Whether every live version is checked, not only the latest."""
        return self.name.endswith("_TRANSITIVE")

    @property
    def new_reads_old(self) -> bool:
        """Whether the new schema must read data written with the old ones (backward)."""
        return self.name.startswith(("BACKWARD", "FULL"))

    @property
    def old_reads_new(self) -> bool:
        """Whether the old schemas must read data written with the new one (forward)."""
        return self.name.startswith(("FORWARD", "FULL"))


DEFAULT_COMPATIBILITY = CompatibilityLevel.FULL_TRANSITIVE

_DESCRIPTIONS = {
    SchemaIncompatibilityType.reader_field_missing_default_value: (
        "The field '{info}' at path '{path}' of the {reader} schema has no default value "
        "and is not in the {writer} schema"
    ),
    SchemaIncompatibilityType.type_mismatch: (
        "The {reader} schema cannot read the type that the {writer} schema has at path '{path}'"
    ),
    SchemaIncompatibilityType.name_mismatch: (
        "The named type at path '{path}' has another name in the {reader} schema than in the "
        "{writer} schema"
    ),
    SchemaIncompatibilityType.fixed_size_mismatch: (
        "The fixed type at path '{path}' has another size in the {reader} schema than in the "
        "{writer} schema"
    ),
    SchemaIncompatibilityType.missing_enum_symbols: (
        "The enum at path '{path}' of the {reader} schema lacks symbols {info} of the {writer} "
        "schema and has no default symbol"
    ),
    SchemaIncompatibilityType.missing_union_branch: (
        "The union at path '{path}' of the {reader} schema has no branch for a type that the "
        "{writer} schema writes"
    ),
}


def compatibility_errors(
    level: CompatibilityLevel,
    new: AvroSchema,
    previous: Sequence[tuple[int, AvroSchema]],
) -> list[str]:
    """Why ``new`` breaks ``level`` against the ``previous`` (version, schema) pairs; [] if not.

    ``previous`` holds the subject's live versions in ascending order. Like Confluent's registry,
    the check goes from the newest version back and reports the first version it fails against,
    followed by ``{oldSchemaVersion: n}``, ``{oldSchema: '...'}`` and ``{compatibility: '...'}``.
    """
    if level is CompatibilityLevel.NONE or not previous:
        return []
    candidates = list(reversed(previous)) if level.transitive else [previous[-1]]
    for version, old in candidates:
        messages = _pair_errors(level, new, old)
        if messages:
            return [
                *messages,
                f"{{oldSchemaVersion: {version}}}",
                f"{{oldSchema: '{old.canonical}'}}",
                f"{{compatibility: '{level}'}}",
            ]
    return []


def _pair_errors(level: CompatibilityLevel, new: AvroSchema, old: AvroSchema) -> list[str]:
    messages: list[str] = []
    if level.old_reads_new:
        messages += _read_errors(old, new, reader_name="old", writer_name="new")
    if level.new_reads_old:
        messages += _read_errors(new, old, reader_name="new", writer_name="old")
    return messages


def _read_errors(
    reader: AvroSchema, writer: AvroSchema, *, reader_name: str, writer_name: str
) -> list[str]:
    """Why ``reader`` cannot read data written with ``writer``, one message per finding."""
    checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]  # avro's __init__ lacks "-> None"
    result = checker.get_compatibility(reader.parsed, writer.parsed)
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    return [_describe(result, reader_name, writer_name)]


def _describe(result: SchemaCompatibilityResult, reader: str, writer: str) -> str:
    """Confluent's ``{errorType, description, additionalInfo}`` text for a checker result.

    The checker keeps its findings' kinds in a list but their paths and details in sets, so
    only a single finding can be described exactly; several are summarised with all their paths.
    """
    kinds = list(dict.fromkeys(result.incompatibilities))
    paths = sorted(path for path in result.locations if path != "/") or ["/"]
    details = sorted(result.messages)
    kind_names = ", ".join(kind.name.upper() for kind in kinds)
    if len(result.incompatibilities) == 1 and len(paths) == 1 and len(details) <= 1:
        info = details[0] if details else ""
        description = _DESCRIPTIONS[kinds[0]].format(
            info=info, path=paths[0], reader=reader, writer=writer
        )
    else:
        info = "; ".join(details)
        description = (
            f"{len(result.incompatibilities)} incompatibilities when the {reader} schema reads "
            f"data written with the {writer} schema, at paths {', '.join(paths)}"
        )
    return f"{{errorType:'{kind_names}', description:'{description}', additionalInfo:'{info}'}}"
