"""The AsyncAPI document says what the code does: topics, roles, schemas, headers, TLP."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hub.asyncapi import UnsupportedFormat, build_document, format_of, render_document
from hub.asyncapi.channels import OUTPUT_TOPICS
from hub.asyncapi.headers import ce_header_names, reason_docs
from hub.asyncapi.messages import AVRO_SCHEMA_FORMAT, message_id
from hub.cli.main import app
from hub.contracts.avro_schema import schema_file_name
from hub.contracts.events.catalogue import EVENT_TYPES, FAMILIES, types_of_family
from hub.contracts.events.envelope import Tlp
from hub.contracts.models import hub_models, schema_for
from hub.contracts.organisations import OrganisationKind, load_registry
from hub.contracts.outputs import OUTPUT_TYPES, EscalationData, EscalationRaised
from hub.domain.routing import partners, route
from hub.domain.subscriptions import SubscriptionBook
from hub.domain.testing import minutes, subscription_changed
from hub.domain.workflow_settings import load_workflow_settings
from hub.gateway.deadletter import DEADLETTER_HEADERS
from hub.gateway.reasons import RejectReason
from hub.topics.declaration import declared_topics

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document for the default prefix."""
    return build_document()


def _channel_messages(document: dict[str, Any], topic: str) -> set[str]:
    return set(document["channels"][topic]["messages"])


def test_event_payloads_are_the_published_schema_files(document: dict[str, Any]) -> None:
    """Each partner event's payload is its schemas/*.avsc file, as Avro JSON."""
    messages = document["components"]["messages"]
    for event_type in EVENT_TYPES:
        payload = messages[event_type]["payload"]
        on_disk = json.loads((REPO / "schemas" / schema_file_name(event_type)).read_text())
        assert payload == {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": on_disk}


def test_every_model_has_its_schema_and_subject(document: dict[str, Any]) -> None:
    """Events, outputs and view records each have a message with their codec schema."""
    messages = document["components"]["messages"]
    for model in hub_models():
        message = messages[message_id(model)]
        schema = schema_for(model)
        assert message["payload"]["schema"] == schema
        assert message["x-kcr-subject"] == f"{schema['namespace']}.{schema['name']}"
        assert message["bindings"]["kafka"]["schemaLookupStrategy"] == "RecordNameStrategy"


def test_ingress_channels_carry_what_each_role_may_publish(document: dict[str, Any]) -> None:
    """An organisation's ingress channel has exactly the event types its role may publish."""
    registry = load_registry()
    for org in registry.ids():
        if registry.role_of(org).name == "hub":
            assert f"kcr.ingress.{org}" not in document["channels"]
            continue
        allowed = {t for t in EVENT_TYPES if registry.role_of(org).may_publish(t)}
        assert _channel_messages(document, f"kcr.ingress.{org}") == allowed
        assert _channel_messages(document, f"kcr.outbox.{org}") >= set(OUTPUT_TYPES)


def test_log_and_output_channels(document: dict[str, Any]) -> None:
    """Log families carry their types; outputs one hub topic each (notices: outboxes only)."""
    for family in FAMILIES:
        assert _channel_messages(document, f"kcr.log.{family}") == set(types_of_family(family))
    assert {t.split(".")[2] for t in OUTPUT_TYPES} == {*OUTPUT_TOPICS, "ingress"}
    hub_topics = ["kcr.signal.escalation", "kcr.coordination", "kcr.advice"]
    carried = [m for topic in hub_topics for m in _channel_messages(document, topic)]
    assert sorted(carried) == sorted(set(OUTPUT_TYPES) - {"nl.kcr.ingress.rejected"})


def test_bindings_follow_the_declaration(document: dict[str, Any]) -> None:
    """Partitions, cleanup policy and retention are the declared ones."""
    for spec in declared_topics():
        binding = document["channels"][spec.name]["bindings"]["kafka"]
        assert binding["partitions"] == spec.partitions
        config = binding["topicConfiguration"]
        assert config["cleanup.policy"] == [spec.cleanup_policy]
        if spec.cleanup_policy == "delete":
            assert config["retention.ms"] == spec.retention_ms


def test_role_read_grants_become_operations(document: dict[str, Any]) -> None:
    """A national centre may receive the views; analysts the log; regions neither."""
    operations = document["operations"]
    assert "ncc.receive.kcr.view.situation" in operations
    assert "analysts.receive.kcr.log.incident" in operations
    assert not [op for op in operations if op.startswith("vr01.receive.kcr.view")]
    for operation in operations.values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        for ref in operation["messages"]:
            assert ref["$ref"].startswith(f"#/channels/{channel}/messages/")


def test_headers_are_the_ones_the_codec_writes(document: dict[str, Any]) -> None:
    """Event messages list the ce_* headers of to_ce_headers; dead letters the kcr_* ones."""
    every, always = ce_header_names()
    assert {"ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_tlp"} <= always
    message = document["components"]["messages"]["nl.kcr.incident.reported"]
    assert list(message["headers"]["properties"]) == list(every)
    assert message["headers"]["properties"]["ce_type"]["const"] == "nl.kcr.incident.reported"
    deadletter = document["components"]["messages"]["kcr.deadletter.record"]["headers"]
    assert deadletter["required"] == list(DEADLETTER_HEADERS)
    assert deadletter["properties"]["kcr_reason"]["enum"] == [r.value for r in RejectReason]
    assert all(reason_docs().values())


def test_tlp_extension_reads_registry_and_settings(document: dict[str, Any]) -> None:
    """The TLP rules name the registry's national centres and the configured view label."""
    tlp = document["x-kcr-tlp"]
    centres = [o.id for o in load_registry().organisations()
               if o.kind is OrganisationKind.NATIONAL_CENTRE]  # fmt: skip
    assert tlp["nationalCentres"] == centres
    assert all(c in tlp["mayReceive"]["AMBER"] for c in centres)
    assert tlp["viewRecords"] == load_workflow_settings().routing.view_tlp.value
    assert "named recipients only" in tlp["mayReceive"]["RED"]


def test_production_server_uses_scram_sha_512(document: dict[str, Any]) -> None:
    """Production is SASL_SSL with SCRAM-SHA-512; local is plaintext."""
    scheme = document["components"]["securitySchemes"]["saslScram"]
    assert scheme["type"] == "scramSha512"
    assert document["servers"]["production"]["protocol"] == "kafka-secure"
    assert document["servers"]["local"]["protocol"] == "kafka"


def test_format_by_extension() -> None:
    """*.json and *.yaml/*.yml are known; anything else is a clear error."""
    assert format_of(Path("a.JSON")) == "json"
    assert format_of(Path("a.yml")) == "yaml"
    with pytest.raises(UnsupportedFormat, match="extension"):
        format_of(Path("a.txt"))


def test_cli_writes_yaml_file_and_json_to_stdout(tmp_path: Path, document: dict[str, Any]) -> None:
    """``kcr asyncapi --out X.yaml`` writes YAML; without --out it prints JSON."""
    runner = CliRunner()
    out = tmp_path / "asyncapi.yaml"
    result = runner.invoke(app, ["asyncapi", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text()) == document
    printed = runner.invoke(app, ["asyncapi", "--prefix", "kcr"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == json.loads(render_document(document))


def test_cli_rejects_a_bad_prefix() -> None:
    """A prefix that is no topic prefix is refused before anything is written."""
    result = CliRunner().invoke(app, ["asyncapi", "--prefix", "Bad Prefix"])
    assert result.exit_code != 0


def test_tlp_rules_say_what_the_router_does(document: dict[str, Any]) -> None:
    """With every partner subscribed to all signals, each label reaches what its rule says."""
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    book = SubscriptionBook(load_registry())
    for org in partners(load_registry()):
        book.apply(subscription_changed(minutes(0), source=org, add=["signals"]))
    centres = set(document["x-kcr-tlp"]["nationalCentres"])
    expected = {
        Tlp.RED: {"vr01"},
        Tlp.AMBER_STRICT: {"vr01", "vr19"},
        Tlp.AMBER: {"vr01", "vr19"} | centres,
        Tlp.GREEN: set(partners(load_registry())),
        Tlp.CLEAR: set(partners(load_registry())),
    }
    for tlp, orgs in expected.items():
        data = EscalationData(
            signal_id="s/1", rule="grip_high", severity="warning", title="GRIP 4",
            regions=("vr19",), since=now, observed_at=now,
        )  # fmt: skip
        signal = EscalationRaised(
            id="s/1:raised:1", subject="s/1", time=now, tlp=tlp, recipients=("vr01",), data=data
        )
        delivery = route(signal, book)
        assert set(delivery.recipients) == orgs, tlp
        assert delivery.public is (tlp is Tlp.CLEAR)
        assert tlp.value in document["x-kcr-tlp"]["mayReceive"]
