"""docs/partners.md cannot drift: what it names exists in the code, its client keys are real."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest

from hub.asyncapi.headers import ce_header_names
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.models import hub_models, schema_for
from hub.contracts.organisations import load_registry
from hub.contracts.outputs import OUTPUT_TYPES
from hub.gateway.deadletter import DEADLETTER_HEADERS
from hub.gateway.policy import GatewayPolicy
from hub.gateway.reasons import RejectReason
from hub.streams.outputs import TLP_HEADER
from hub.topics.declaration import declared_topics

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "partners.md"

JAVA_KEYS = frozenset({
    # Apache Kafka Java client (ProducerConfig / ConsumerConfig / SaslConfigs)
    "bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config",
    "enable.idempotence", "acks", "max.in.flight.requests.per.connection", "key.serializer",
    "value.serializer", "group.id", "enable.auto.commit", "auto.offset.reset",
    "isolation.level", "key.deserializer", "value.deserializer",
    # Confluent KafkaAvroSerializer / KafkaAvroDeserializer (AbstractKafkaSchemaSerDeConfig)
    "schema.registry.url", "auto.register.schemas", "use.latest.version",
    "value.subject.name.strategy", "specific.avro.reader",
})  # fmt: skip
JAVA_CLASSES = frozenset(
    {
        "io.confluent.kafka.serializers.KafkaAvroSerializer",
        "io.confluent.kafka.serializers.KafkaAvroDeserializer",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy",
        "org.apache.kafka.common.serialization.StringSerializer",
        "org.apache.kafka.common.serialization.StringDeserializer",
        "org.apache.kafka.common.security.scram.ScramLoginModule",
    }
)
GO_KEYS = frozenset({
    # librdkafka properties, as confluent-kafka-go's kafka.ConfigMap takes them
    "bootstrap.servers", "security.protocol", "sasl.mechanisms", "sasl.username",
    "sasl.password", "enable.idempotence", "acks", "max.in.flight.requests.per.connection",
    "group.id", "auto.offset.reset", "enable.auto.commit", "isolation.level",
})  # fmt: skip
DOTNET_PROPERTIES = frozenset({
    # Confluent.Kafka ProducerConfig / ConsumerConfig (ClientConfig)
    "BootstrapServers", "SecurityProtocol", "SaslMechanism", "SaslUsername", "SaslPassword",
    "EnableIdempotence", "Acks", "MaxInFlight", "GroupId", "EnableAutoCommit",
    "AutoOffsetReset", "IsolationLevel",
    # Confluent.SchemaRegistry SchemaRegistryConfig and Serdes AvroSerializerConfig
    "Url", "AutoRegisterSchemas", "SubjectNameStrategy",
})  # fmt: skip

_TOPIC = re.compile(r"(?<![\w.])(?:_kcr_schemas|kcr(?:\.(?:[a-z0-9-]+|<[a-z]+>))+)")
_TYPE = re.compile(r"(?<![\w.])nl\.kcr\.[a-z_]+\.[A-Za-z_]+")


@cache
def guide() -> str:
    """The guide's text."""
    return GUIDE.read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    """The guide's fenced code blocks in ``language`` (indented fences included)."""
    pattern = rf"^[ ]*```{language}\n(.*?)^[ ]*```"
    return re.findall(pattern, guide(), flags=re.MULTILINE | re.DOTALL)


def _matches_a_topic(name: str, topics: set[str]) -> bool:
    if "<" not in name:
        return name in topics
    pattern = re.escape(name)
    pattern = re.sub(r"<[a-z]+>", "[a-z0-9-]+", pattern.replace(r"\<", "<").replace(r"\>", ">"))
    return any(re.fullmatch(pattern, topic) for topic in topics)


def test_every_topic_named_is_declared() -> None:
    """Each kcr.* topic (or kcr.x.<org> template) in the guide is a declared topic."""
    topics = {spec.name for spec in declared_topics()}
    named = {m.group(0).rstrip(".") for m in _TOPIC.finditer(guide())}
    assert named, "the guide names no topic"
    assert [n for n in sorted(named) if not _matches_a_topic(n, topics)] == []


def test_every_event_type_and_subject_named_exists() -> None:
    """Each nl.kcr.* event type is in the catalogue or the outputs; full names are subjects."""
    subjects = {f"{schema_for(m)['namespace']}.{schema_for(m)['name']}" for m in hub_models()}
    types = set(EVENT_TYPES) | set(OUTPUT_TYPES)
    named = {m.group(0) for m in _TYPE.finditer(guide())}
    unknown = [
        name
        for name in named
        if name not in (subjects if name.rsplit(".", 1)[1][:1].isupper() else types)
    ]
    assert unknown == []
    assert "nl.kcr.coordination.requested" in named


def test_reason_table_is_complete_and_exact() -> None:
    """The dead-letter table lists exactly the gateway's reason codes."""
    table = guide().split("| reason | what to fix |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)
    assert sorted(rows) == sorted(r.value for r in RejectReason)


def test_headers_and_envelope_fields_exist() -> None:
    """ce_* headers are the codec's, kcr_* the dead letter's and views'; fields the envelope's."""
    every, _ = ce_header_names()
    ce = set(re.findall(r"`(ce_[a-z]+)`", guide()))
    assert ce
    assert ce <= set(every)
    kcr = set(re.findall(r"`(kcr_[a-z_]+)`", guide()))
    assert kcr == {*DEADLETTER_HEADERS, TLP_HEADER}
    table = guide().split("| field | meaning |", 1)[1].split("\n\n", 1)[0]
    fields = {f for row in re.findall(r"^\| (.+?) \|", table, re.MULTILINE)
              for f in re.findall(r"`([a-z_]+)`", row)}  # fmt: skip
    assert fields <= set(EventEnvelope.model_fields)
    assert set(EventEnvelope.model_fields) <= fields


def test_files_and_organisations_named_exist() -> None:
    """Example files and schema files exist; organisation ids in backticks are registered."""
    for path in re.findall(r"(?:examples/events|schemas)/[a-z.]+\.(?:json|avsc)", guide()):
        assert (REPO / path).is_file(), path
    registry = load_registry()
    sentence = guide().split("Every organisation has an id", 1)[1].split("exactly two topics", 1)[0]
    orgs = set(re.findall(r"`([a-z][a-z0-9-]+)`", sentence)) | {"vr19", "vr20"}
    assert len(orgs) >= 6
    assert [org for org in sorted(orgs) if org not in registry] == []


def test_gateway_defaults_quoted_are_the_policy_defaults() -> None:
    """256 KiB, 5 minutes and 7 days are the gateway's defaults."""
    policy = GatewayPolicy()
    assert policy.max_record_bytes == 256 * 1024
    assert "256 KiB" in guide()
    assert policy.future_tolerance == timedelta(minutes=5)
    assert "5 minutes" in guide()
    assert policy.dedupe_window == timedelta(days=7)
    assert "7 days" in guide()


def test_java_config_keys_are_known() -> None:
    """Every key the Java snippets set is a real client or serde key; the key ones are set."""
    blocks = "\n".join(code_blocks("java"))
    keys = set(re.findall(r'\.put\("([^"]+)"', blocks))
    assert keys
    assert keys <= JAVA_KEYS, keys - JAVA_KEYS
    classes = set(re.findall(r'"((?:io|org)\.[a-zA-Z.]+)', blocks))
    assert classes <= JAVA_CLASSES, classes - JAVA_CLASSES
    assert '"auto.register.schemas", "false"' in blocks
    assert "io.confluent.kafka.serializers.subject.RecordNameStrategy" in blocks
    assert '"sasl.mechanism", "SCRAM-SHA-512"' in blocks


def test_go_config_keys_are_known() -> None:
    """Every librdkafka key in the Go snippets and prose is real; SCRAM-SHA-512 is set."""
    blocks = "\n".join(code_blocks("go"))
    keys = set(re.findall(r'"([a-z]+(?:\.[a-z]+)+)"\s*:', blocks + guide()))
    assert keys
    assert keys <= GO_KEYS, keys - GO_KEYS
    assert re.search(r'"sasl\.mechanisms":\s+"SCRAM-SHA-512"', blocks)
    assert "conf.AutoRegisterSchemas = false" in blocks


@pytest.mark.parametrize("language", ["csharp"])
def test_dotnet_properties_are_known(language: str) -> None:
    """Every property the .NET config initialisers set is a real Confluent.Kafka one."""
    blocks = "\n".join(code_blocks(language))
    properties = set(re.findall(r"^\s+([A-Z]\w+) = ", blocks, flags=re.MULTILINE))
    assert properties
    assert properties <= DOTNET_PROPERTIES, properties - DOTNET_PROPERTIES
    assert "SubjectNameStrategy = SubjectNameStrategy.Record" in blocks
    assert "AutoRegisterSchemas = false" in blocks
    assert "SaslMechanism = SaslMechanism.ScramSha512" in blocks
