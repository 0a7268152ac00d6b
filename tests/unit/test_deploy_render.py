"""The deployment manifests: generated from the declarations, valid, and committed as rendered."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from hub.broker.cluster import LocalCluster
from hub.cli.main import app
from hub.contracts.organisations import load_registry
from hub.deploy import render as render_files
from hub.deploy.compose import NODES, broker_configs
from hub.deploy.kafka_env import from_env_name
from hub.deploy.strimzi_acls import from_strimzi
from hub.security.acls import derive_acls
from hub.security.credentials import SERVICE_USERS, organisation_users
from hub.services import SERVICE_NAMES
from hub.topics.declaration import DEFAULT_NAMES, declared_topics
from tests.unit.deploy_schemas import compose_spec_schema, strimzi_crd_schemas

ROOT = Path(__file__).resolve().parents[2]
_REPLICATION_KEYS = (
    "default.replication.factor",
    "min.insync.replicas",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "share.coordinator.state.topic.replication.factor",
    "share.coordinator.state.topic.min.isr",
    "broker.session.timeout.ms",
)


@cache
def render(target: str) -> dict[str, str]:
    """The rendered files of ``target``, rendered once per test session."""
    return render_files(target)


def _docs(target: str, name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(render(target)[name]) if d is not None]


def _k8s(kind: str) -> list[dict[str, Any]]:
    docs = [d for name in render("k8s") for d in _docs("k8s", name)]
    return [d for d in docs if d["kind"] == kind]


def _compose() -> dict[str, Any]:
    (document,) = _docs("compose", "compose.yaml")
    return document


def _three_node_properties() -> dict[str, str]:
    """``server.properties`` of a node of the local three-node cluster of the fault tests."""
    from hub.broker.properties import render_server_properties

    cluster = LocalCluster(Path("/c"), Path("/jars"), [5000, 6000, 7000])
    text = render_server_properties(cluster.nodes[0].node)
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_every_rendered_file_parses_as_yaml() -> None:
    """Each k8s and compose YAML file loads with yaml.safe_load_all."""
    for target in ("k8s", "compose"):
        for name, text in render(target).items():
            if name.endswith(".yaml"):
                assert [d for d in yaml.safe_load_all(text) if d], name


def test_one_kafka_topic_per_declared_topic_with_its_configuration() -> None:
    """Exactly one KafkaTopic per declared topic: partitions, 3 replicas, TopicSpec.configs()."""
    topics = {d["spec"]["topicName"]: d["spec"] for d in _k8s("KafkaTopic")}
    declared = declared_topics(DEFAULT_NAMES)
    assert len(_k8s("KafkaTopic")) == len(declared) == len(topics)
    for spec in declared:
        assert topics[spec.name] == {
            "topicName": spec.name,
            "partitions": spec.partitions,
            "replicas": 3,
            "config": spec.configs(),
        }


def test_every_user_has_a_kafka_user_with_exactly_its_derived_acls() -> None:
    """Each organisation and hub service has a KafkaUser whose ACLs equal derive_acls's."""
    registry = load_registry()
    derived = derive_acls(registry, DEFAULT_NAMES)
    users = {d["metadata"]["name"]: d["spec"] for d in _k8s("KafkaUser")}
    expected = set(organisation_users(registry)) | set(SERVICE_USERS)
    assert set(users) == expected
    for user, spec in users.items():
        assert spec["authentication"]["type"] == "scram-sha-512"
        if user == "admin":
            assert "authorization" not in spec  # a super user
            continue
        granted = from_strimzi(user, spec["authorization"]["acls"])
        assert granted == {r for r in derived if r.principal == f"User:{user}"}, user
        assert granted, user
    # nothing derived is left out of the manifests
    assert {r.principal.removeprefix("User:") for r in derived} <= set(users)


def test_kafka_is_kraft_with_three_combined_nodes_scram_tls_and_acls() -> None:
    """One Kafka (KRaft, node pools), one pool of 3 controller+broker nodes, SCRAM over TLS."""
    (kafka,) = _k8s("Kafka")
    (pool,) = _k8s("KafkaNodePool")
    annotations = kafka["metadata"]["annotations"]
    assert annotations == {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"}
    assert pool["spec"]["replicas"] == 3
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"] == {"type": "scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"


def test_hub_workloads_cover_every_service_with_two_named_gateways() -> None:
    """One workload per hub service running `kcr run --only` that service.

    The gateway is a StatefulSet of two, each pod's name its KCR_GATEWAY_INSTANCE (its own
    transactional id, kept across restarts); the clock and the processors are one each and
    are replaced, never rolled, so two never run at once.
    """
    workloads = {d["metadata"]["name"]: d for d in [*_k8s("Deployment"), *_k8s("StatefulSet")]}
    assert set(workloads) == {f"kcr-{name}" for name in SERVICE_NAMES}
    for name in SERVICE_NAMES:
        spec = workloads[f"kcr-{name}"]["spec"]
        (container,) = spec["template"]["spec"]["containers"]
        assert container["args"] == ["run", "--only", name]
        assert "readinessProbe" in container
        assert spec["replicas"] == (2 if name == "gateway" else 1)
    gateway = workloads["kcr-gateway"]
    assert gateway["kind"] == "StatefulSet"
    assert gateway["spec"]["serviceName"] == "kcr-gateway"
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    instance = next(e for e in container["env"] if e["name"] == "KCR_GATEWAY_INSTANCE")
    assert instance["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    for single in ("kcr-clock", "kcr-processors"):
        assert workloads[single]["spec"]["strategy"] == {"type": "Recreate"}
    services = {d["metadata"]["name"] for d in _k8s("Service")}
    assert {"kcr-registry", "kcr-bridge", "kcr-dashboard", "kcr-gateway"} <= services


def test_compose_has_three_brokers_hub_services_two_gateways_and_health_checks() -> None:
    """Three KRaft nodes, the one-shots, every hub service; two gateways, each its own name."""
    services = _compose()["services"]
    hub = [n for n in SERVICE_NAMES if n != "gateway"]
    assert set(services) == {*NODES, "secrets", "init", *hub, "gateway-1", "gateway-2"}
    for name, body in services.items():
        if name not in ("secrets", "init"):
            assert body["healthcheck"]["test"], name
    instances = [
        services[g]["environment"]["KCR_GATEWAY_INSTANCE"] for g in ("gateway-1", "gateway-2")
    ]
    assert instances == ["gateway-1", "gateway-2"]
    assert all("deploy" not in body for body in services.values())  # no shared-env replicas
    for node in NODES:
        assert services[node]["image"].startswith("apache/kafka:4.0.")
    assert "kcr acl apply" in services["init"]["command"][0]
    assert _compose()["volumes"]


def test_compose_brokers_use_sasl_ssl_with_scram_for_clients() -> None:
    """Clients reach the nodes on SASL_SSL with SCRAM-SHA-512 only; static voters."""
    for node_id, node in enumerate(NODES, start=1):
        env = _compose()["services"][node]["environment"]
        props = {from_env_name(k): v for k, v in env.items() if k.startswith("KAFKA_")}
        assert props["listener.name.sasl_ssl.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
        assert props["advertised.listeners"].startswith(f"SASL_SSL://{node}:9092")
        assert "PLAINTEXT" not in props["listener.security.protocol.map"]
        assert props["controller.quorum.voters"].count("@") == 3
        assert props["node.id"] == str(node_id)
        assert props == {**props, **broker_configs(node_id)}


def test_env_example_lists_every_variable_compose_uses() -> None:
    """Each ${VAR} of compose.yaml has a line in .env.example (and nothing unused is listed)."""
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", render("compose")["compose.yaml"]))
    listed = set(re.findall(r"^([A-Z0-9_]+)=", render("compose")[".env.example"], re.M))
    assert used == listed


def test_compose_uses_only_existing_hub_settings() -> None:
    """Every KCR_ variable of a hub container is a field of hub.settings.Settings."""
    from hub.settings import Settings

    fields = {f"KCR_{name.upper()}" for name in Settings.model_fields}
    for name, body in _compose()["services"].items():
        unknown = {k for k in body.get("environment", {}) if k.startswith("KCR_")} - fields
        assert not unknown, (name, unknown)


def test_manifest_broker_settings_equal_the_local_three_node_cluster() -> None:
    """Replication, min ISR and fencing in both manifests equal the local three-node cluster's."""
    local = {key: _three_node_properties()[key] for key in _REPLICATION_KEYS}
    assert local["default.replication.factor"] == "3"
    assert local["min.insync.replicas"] == "2"
    (kafka,) = _k8s("Kafka")
    assert {key: kafka["spec"]["kafka"]["config"][key] for key in _REPLICATION_KEYS} == local
    for node in NODES:
        env = _compose()["services"][node]["environment"]
        props = {from_env_name(k): v for k, v in env.items() if k.startswith("KAFKA_")}
        assert {key: props[key] for key in _REPLICATION_KEYS} == local
    replicas = {d["spec"]["replicas"] for d in _k8s("KafkaTopic")}
    assert replicas == {int(local["default.replication.factor"])}


@pytest.mark.parametrize("target", ["k8s", "compose"])
def test_committed_manifests_equal_a_fresh_rendering(target: str) -> None:
    """deploy/<target>/ holds exactly what the code renders now."""
    for name, text in render(target).items():
        path = ROOT / "deploy" / target / name
        committed = path.read_text(encoding="utf-8") if path.exists() else None
        assert committed == text, (
            f"{path} is out of date: run `kcr deploy render {target} --out deploy/{target}`"
        )


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    """compose.yaml validates against compose-go's official compose-spec.json."""
    schema = compose_spec_schema()
    jsonschema.validate(_compose(), schema, cls=jsonschema.Draft202012Validator)


def test_compose_schema_check_rejects_a_broken_file() -> None:
    """The same check fails for a service with a misspelt key (so it checks something)."""
    broken = _compose()
    broken["services"]["gateway-1"]["helthcheck"] = broken["services"]["gateway-1"].pop(
        "healthcheck"
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, compose_spec_schema(), cls=jsonschema.Draft202012Validator)


def test_strimzi_resources_are_valid_against_the_strimzi_crd_schemas(tmp_path: Path) -> None:
    """Kafka, KafkaNodePool, KafkaTopic and KafkaUser validate against Strimzi's CRD schemas."""
    schemas = strimzi_crd_schemas(tmp_path / "strimzi")
    for kind, schema in schemas.items():
        documents = _k8s(kind)
        assert documents, kind
        for document in documents:
            jsonschema.validate(document, schema, cls=jsonschema.Draft7Validator)
    bad = _k8s("KafkaUser")[1]
    bad["spec"]["authorization"]["acls"][0]["resource"]["type"] = "table"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schemas["KafkaUser"], cls=jsonschema.Draft7Validator)


def test_cli_renders_compose_into_a_folder(tmp_path: Path) -> None:
    """`kcr deploy render compose --out DIR` writes compose.yaml and .env.example."""
    result = CliRunner().invoke(app, ["deploy", "render", "compose", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "compose.yaml").read_text() == render("compose")["compose.yaml"]
    assert (tmp_path / ".env.example").exists()


def test_cli_rejects_an_unknown_target_naming_the_choices(tmp_path: Path) -> None:
    """A bad target exits 2 with a message that names k8s and compose."""
    result = CliRunner().invoke(app, ["deploy", "render", "helm", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "helm" in result.output
    assert "k8s" in result.output
    assert "compose" in result.output
    assert not list(tmp_path.iterdir())


def test_deploy_secrets_generates_once_and_keeps_passwords(tmp_path: Path) -> None:
    """`kcr deploy secrets` writes every user's password file; a second run changes none."""
    runner = CliRunner()
    assert runner.invoke(app, ["deploy", "secrets", "--out", str(tmp_path)]).exit_code == 0
    first = (tmp_path / "credentials.json").read_text()
    assert runner.invoke(app, ["deploy", "secrets", "--out", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "credentials.json").read_text() == first
    users = {p.name for p in (tmp_path / "passwords").iterdir()}
    assert users == {d["metadata"]["name"] for d in _k8s("KafkaUser")}
    assert (tmp_path / "admin.password").read_text() == (tmp_path / "passwords/admin").read_text()
