"""The registry's state and decisions, without HTTP or Kafka."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pytest

from hub.registry.avro_schema import AvroSchema, parse_avro
from hub.registry.compatibility import CompatibilityLevel
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
from hub.registry.state import LATEST, Plan, RegistryState, parse_version

T = TypeVar("T")
Level = CompatibilityLevel


def record_schema(*extra: dict[str, Any]) -> AvroSchema:
    """An incident record with an id, a region and ``extra`` fields."""
    fields = [{"name": "id", "type": "string"}, {"name": "region", "type": "string"}, *extra]
    return parse_avro(json.dumps({"type": "record", "name": "Incident", "fields": fields}))


V1 = record_schema()
V2 = record_schema({"name": "note", "type": ["null", "string"], "default": None})
V3_WITHOUT_REGION = parse_avro(
    json.dumps(
        {
            "type": "record",
            "name": "Incident",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "note", "type": ["null", "string"], "default": None},
            ],
        }
    )
)
OTHER = parse_avro('{"type": "enum", "name": "Grip", "symbols": ["GRIP0", "GRIP1"]}')


class Recorder:
    """A state plus the records written to it, as the service keeps them."""

    def __init__(self, default_level: Level = Level.FULL_TRANSITIVE) -> None:
        self.state = RegistryState(default_level)
        self.log: list[Record] = []

    def run(self, plan: Plan[T]) -> T:
        """Write and apply ``plan``'s records; answer its result."""
        for record in plan.records:
            self.log.append(record)
            self.state.apply(record)
        return plan.result

    def register(self, subject: str, schema: AvroSchema) -> int:
        """Register ``schema`` under ``subject``; its id."""
        return self.run(self.state.plan_register(subject, schema)).schema_id


@pytest.fixture
def registry() -> Recorder:
    """An empty registry state."""
    return Recorder()


def test_first_registration_gets_id_1_and_version_1(registry: Recorder) -> None:
    """The first schema is id 1, version 1, stored as one record."""
    assert registry.register("incident-value", V1) == 1
    assert registry.log == [SchemaVersionWritten("incident-value", 1, 1, V1.canonical)]
    found = registry.state.get_version("incident-value", LATEST)
    assert (found.version, found.schema_id, found.schema) == (1, 1, V1.canonical)


def test_registering_the_same_schema_again_writes_nothing(registry: Recorder) -> None:
    """Re-registration answers the existing id without a new version."""
    registry.register("incident-value", V1)
    spelled_otherwise = parse_avro(json.dumps(json.loads(V1.canonical), indent=4))
    assert registry.register("incident-value", spelled_otherwise) == 1
    assert len(registry.log) == 1
    assert registry.state.versions("incident-value") == [1]


def test_same_schema_under_another_subject_reuses_the_global_id(registry: Recorder) -> None:
    """Ids are global; versions count per subject."""
    registry.register("a-value", V1)
    registry.register("a-value", V2)
    assert registry.register("b-value", V2) == 2
    assert registry.state.get_version("b-value", 1).schema_id == 2
    assert registry.state.usages(2) == [("a-value", 2), ("b-value", 1)]
    assert registry.register("c-value", OTHER) == 3


def test_versions_latest_and_lookup(registry: Recorder) -> None:
    """Versions ascend; latest is the highest; lookup finds the version holding a schema."""
    registry.register("s", V1)
    registry.register("s", V2)
    assert registry.state.versions("s") == [1, 2]
    assert registry.state.get_version("s", LATEST).version == 2
    found = registry.state.lookup("s", V1)
    assert (found.subject, found.version, found.schema_id) == ("s", 1, 1)


def test_missing_subject_version_and_schema_have_their_own_errors(registry: Recorder) -> None:
    """40401 for a subject, 40402 for a version, 40403 for a schema."""
    registry.register("s", V1)
    with pytest.raises(SubjectNotFound) as subject:
        registry.state.get_version("nope", 1)
    with pytest.raises(VersionNotFound) as version:
        registry.state.get_version("s", 7)
    with pytest.raises(SchemaNotFound) as by_id:
        registry.state.schema(99)
    with pytest.raises(SchemaNotFound) as lookup:
        registry.state.lookup("s", OTHER)
    with pytest.raises(SubjectNotFound):
        registry.state.lookup("nope", V1)
    codes = [e.value.error_code for e in (subject, version, by_id, lookup)]
    assert codes == [40401, 40402, 40403, 40403]


def test_default_level_accepts_optional_field_and_refuses_dropping_a_required_one(
    registry: Recorder,
) -> None:
    """Under the default level v2 (optional field) registers and v3 (no region) is refused."""
    registry.register("s", V1)
    registry.register("s", V2)
    with pytest.raises(IncompatibleSchema) as refused:
        registry.register("s", V3_WITHOUT_REGION)
    assert refused.value.http_status == 409
    assert "'region'" in refused.value.message
    assert registry.state.versions("s") == [1, 2]
    assert len(registry.log) == 2


def test_backward_transitive_lets_a_required_field_be_dropped() -> None:
    """Under BACKWARD_TRANSITIVE the same v3 registers: why the default is FULL_TRANSITIVE."""
    registry = Recorder(Level.BACKWARD_TRANSITIVE)
    registry.register("s", V1)
    registry.register("s", V2)
    assert registry.register("s", V3_WITHOUT_REGION) == 3


def test_adding_a_required_field_is_refused_by_default(registry: Recorder) -> None:
    """A new field without a default cannot be read from old data."""
    registry.register("s", V1)
    with pytest.raises(IncompatibleSchema, match="'priority'"):
        registry.register("s", record_schema({"name": "priority", "type": "int"}))


def test_level_none_accepts_anything(registry: Recorder) -> None:
    """With the subject at NONE, an unrelated schema becomes the next version."""
    registry.register("s", V1)
    registry.run(registry.state.plan_set_level("s", Level.NONE))
    assert registry.register("s", OTHER) == 2


def test_soft_deleted_version_is_hidden_but_its_id_stays_resolvable(registry: Recorder) -> None:
    """A deleted version leaves the listings; its schema id can still be fetched."""
    registry.register("s", V1)
    registry.register("s", V2)
    assert registry.run(registry.state.plan_delete_version("s", 2)) == 2
    assert registry.state.versions("s") == [1]
    assert registry.state.versions("s", deleted=True) == [1, 2]
    assert registry.state.versions("s", deleted_only=True) == [2]
    assert registry.state.get_version("s", LATEST).version == 1
    assert registry.state.get_version("s", 2, deleted=True).deleted
    assert registry.state.schema(2) == V2
    with pytest.raises(VersionNotFound):
        registry.state.get_version("s", 2)
    with pytest.raises(VersionSoftDeleted) as again:
        registry.run(registry.state.plan_delete_version("s", 2))
    assert again.value.error_code == 40406


def test_deleted_versions_are_not_checked_for_compatibility(registry: Recorder) -> None:
    """After deleting v2, a schema only v2 would refuse registers as v3."""
    registry.register("s", V1)
    registry.register("s", record_schema({"name": "team", "type": "string", "default": "x"}))
    registry.run(registry.state.plan_delete_version("s", 2))
    assert registry.register("s", record_schema({"name": "team", "type": "int", "default": 0}))
    assert registry.state.versions("s") == [1, 3]


def test_soft_deleted_subject_disappears_and_comes_back_with_new_versions(
    registry: Recorder,
) -> None:
    """Deleting a subject hides it; registering again continues the version count."""
    registry.register("s", V1)
    registry.register("s", V2)
    registry.run(registry.state.plan_set_level("s", Level.NONE))
    assert registry.run(registry.state.plan_delete_subject("s")) == [1, 2]
    assert registry.log[-2:] == [SubjectDeleted("s", 2), ConfigChanged("s", None)]
    assert registry.state.subjects() == []
    assert registry.state.subjects(deleted=True) == ["s"]
    assert registry.state.subjects(deleted_only=True) == ["s"]
    assert registry.state.configured_level("s") is None
    with pytest.raises(SubjectNotFound):
        registry.state.versions("s")
    with pytest.raises(SubjectSoftDeleted) as again:
        registry.run(registry.state.plan_delete_subject("s"))
    assert again.value.error_code == 40404
    assert registry.register("s", V1) == 1
    assert registry.state.versions("s", deleted=True) == [1, 2, 3]


def test_lookup_of_deleted_version_needs_the_deleted_flag(registry: Recorder) -> None:
    """A soft-deleted schema is found by lookup only when asked with ``deleted``."""
    registry.register("s", V1)
    registry.register("s", V2)
    registry.run(registry.state.plan_delete_version("s", 1))
    with pytest.raises(SchemaNotFound):
        registry.state.lookup("s", V1)
    assert registry.state.lookup("s", V1, deleted=True).version == 1


def test_levels_fall_back_from_subject_to_global_to_default(registry: Recorder) -> None:
    """The subject's own level wins, then the global one, then the default."""
    assert registry.state.level("s") is Level.FULL_TRANSITIVE
    registry.run(registry.state.plan_set_level(None, Level.BACKWARD))
    assert registry.state.level("s") is Level.BACKWARD
    registry.run(registry.state.plan_set_level("s", Level.FORWARD))
    assert registry.state.level("s") is Level.FORWARD
    assert registry.state.level() is Level.BACKWARD
    assert registry.run(registry.state.plan_clear_level("s")) is Level.FORWARD
    assert registry.state.level("s") is Level.BACKWARD
    assert registry.run(registry.state.plan_clear_level(None)) is Level.BACKWARD
    assert registry.state.level() is Level.FULL_TRANSITIVE


def test_clearing_a_level_that_is_not_set_is_subject_not_found(registry: Recorder) -> None:
    """As in Confluent's registry, deleting an absent subject config answers 40401."""
    with pytest.raises(SubjectNotFound):
        registry.state.plan_clear_level("s")


def test_compatibility_check_against_one_version_or_all(registry: Recorder) -> None:
    """The check uses the subject's level against the version asked for."""
    registry.register("s", V1)
    registry.register("s", V2)
    assert registry.state.check_compatibility("s", V3_WITHOUT_REGION, LATEST)
    assert registry.state.check_compatibility("s", V2, None) == []
    assert registry.state.check_compatibility("new-subject", V3_WITHOUT_REGION, LATEST) == []
    with pytest.raises(VersionNotFound):
        registry.state.check_compatibility("s", V1, 9)


def test_replaying_the_records_rebuilds_the_same_state(registry: Recorder) -> None:
    """A fresh state fed the written records answers exactly as the original (a restart)."""
    registry.register("a", V1)
    registry.register("a", V2)
    registry.register("b", V2)
    registry.run(registry.state.plan_delete_version("a", 1))
    registry.run(registry.state.plan_set_level("b", Level.NONE))
    rebuilt = RegistryState()
    for record in registry.log:
        rebuilt.apply(record)
    for state in (registry.state, rebuilt):
        assert state.subjects() == ["a", "b"]
        assert state.versions("a", deleted=True) == [1, 2]
        assert state.versions("a") == [2]
        assert state.get_version("b", 1).schema_id == 2
        assert state.level("b") is Level.NONE
        assert state.next_id == 3


@pytest.mark.parametrize(
    ("text", "version"), [("latest", LATEST), ("LATEST", LATEST), ("-1", LATEST), ("3", 3)]
)
def test_versions_in_urls(text: str, version: int) -> None:
    """Versions are positive integers or ``latest``."""
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["0", "-2", "abc", "2147483648"])
def test_invalid_versions_are_error_42202(text: str) -> None:
    """Anything else is an invalid version."""
    with pytest.raises(InvalidVersion) as caught:
        parse_version(text)
    assert caught.value.error_code == 42202
