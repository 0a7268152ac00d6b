"""The generated AsyncAPI document is valid for the official tools and complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT7

from hub.asyncapi import build_document, render_document
from hub.contracts.organisations import load_registry
from hub.topics.declaration import TopicNames, declared_topics
from tests.asyncapi.tools import official_schema, parse_with_asyncapi_parser


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document for the default prefix."""
    return build_document()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    """A validator of the official AsyncAPI 3.0.0 JSON Schema (from @asyncapi/specs)."""
    schema = official_schema("3.0.0")
    registry: Registry[Any] = Registry().with_resource(
        schema["$id"], DRAFT7.create_resource(schema)
    )
    return jsonschema.Draft7Validator(schema, registry=registry.crawl())


def _errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(document)]


def test_official_json_schema_accepts_document(
    validator: jsonschema.Draft7Validator, document: dict[str, Any]
) -> None:
    """The official AsyncAPI 3.0.0 JSON Schema finds no error in the document."""
    assert _errors(validator, document) == []


def test_official_json_schema_rejects_a_broken_document(
    validator: jsonschema.Draft7Validator, document: dict[str, Any]
) -> None:
    """The schema check is real: a zero-partition binding is an error."""
    broken = json.loads(json.dumps(document))
    channel = next(iter(broken["channels"].values()))
    channel["bindings"]["kafka"]["partitions"] = 0
    assert _errors(validator, broken)


def test_other_prefix_is_valid_too(validator: jsonschema.Draft7Validator) -> None:
    """A hub under another prefix gets a valid document naming its own topics."""
    document = build_document("test.x1")
    assert _errors(validator, document) == []
    assert set(document["channels"]) == {s.name for s in declared_topics(TopicNames("test.x1"))}


@pytest.mark.slow
def test_asyncapi_parser_accepts_document(tmp_path: Path, document: dict[str, Any]) -> None:
    """@asyncapi/parser parses the document with no error; avsc parses every Avro payload."""
    path = tmp_path / "asyncapi.json"
    path.write_text(render_document(document))
    report = parse_with_asyncapi_parser(path)
    errors = [d for d in report["diagnostics"] if d["severity"] == "Error"]
    assert report["parsed"], errors
    assert errors == []


@pytest.mark.slow
def test_asyncapi_parser_rejects_bad_avro_and_refs(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    """The parser check is real: a bad Avro type and a dangling message reference are errors."""
    broken = json.loads(json.dumps(document))
    message = broken["components"]["messages"]["nl.kcr.incident.reported"]
    message["payload"]["schema"]["fields"][0]["type"] = "no_such_type"
    operation = broken["operations"]["vr01.send.kcr.ingress.vr01"]
    operation["messages"].append({"$ref": "#/channels/kcr.ingress.vr01/messages/nope"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    report = parse_with_asyncapi_parser(path)
    codes = {d["code"] for d in report["diagnostics"] if d["severity"] == "Error"}
    assert {"invalid-avro", "invalid-ref"} <= codes


def test_document_names_every_topic_and_organisation(document: dict[str, Any]) -> None:
    """Every declared topic is a channel, every partner has an ingress and an outbox channel."""
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {spec.name for spec in declared_topics()}
    registry = load_registry()
    text = json.dumps(document)
    for org in registry.ids():
        assert f'"{org}' in text
        if registry.role_of(org).name != "hub":
            assert document["channels"][f"kcr.ingress.{org}"]["x-kcr-organisation"] == org
            assert f"{org}.send.kcr.ingress.{org}" in document["operations"]
            assert f"{org}.receive.kcr.outbox.{org}" in document["operations"]
