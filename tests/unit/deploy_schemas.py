"""The official schemas the deployment manifests are checked against, fetched on first use.

- Compose: ``schema/compose-spec.json`` of the Go module ``github.com/compose-spec/compose-go/v2``
  (the schema ``docker compose`` validates with), from the Go module proxy via ``go mod download``.
- Strimzi: the CRDs' OpenAPI schemas, generated as Strimzi's build does (its ``CrdGenerator`` run
  over the model classes of ``io.strimzi:api``), from Maven Central via ``mvn``.

A missing tool skips the test that needs it, saying which tool; any other failure fails it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE_GO = "github.com/compose-spec/compose-go/v2@v2.16.2"  # needs no Go newer than 1.26
STRIMZI_API = "0.47.0"  # the Strimzi release with Kafka 4.0.0
STRIMZI_GENERATOR = "0.45.0"  # the newest crd-generator on Maven Central
_KINDS = {
    "Kafka": "io.strimzi.api.kafka.model.kafka.Kafka",
    "KafkaNodePool": "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
    "KafkaTopic": "io.strimzi.api.kafka.model.topic.KafkaTopic",
    "KafkaUser": "io.strimzi.api.kafka.model.user.KafkaUser",
}
_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>kcr</groupId><artifactId>strimzi-crds</artifactId><version>1</version><dependencies>
<dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>{api}</version>
<exclusions><exclusion><groupId>io.strimzi</groupId><artifactId>test</artifactId></exclusion>
</exclusions></dependency>
<dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId>
<version>{gen}</version></dependency></dependencies></project>
"""


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed: it fetches the official schema to validate with")
    return path


def _run(args: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(args[:3])} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def compose_spec_schema() -> dict[str, Any]:
    """The Compose Specification JSON schema."""
    go = _need("go")
    info = json.loads(_run([go, "mod", "download", "-json", COMPOSE_GO]))
    assert "Error" not in info, info.get("Error")
    text = (Path(info["Dir"]) / "schema" / "compose-spec.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def strimzi_crd_schemas(work: Path) -> dict[str, dict[str, Any]]:
    """The v1beta2 OpenAPI schema of each Strimzi kind the manifests use, by kind."""
    mvn, java = _need("mvn"), _need("java")
    work.mkdir(parents=True, exist_ok=True)
    (work / "pom.xml").write_text(_POM.format(api=STRIMZI_API, gen=STRIMZI_GENERATOR))
    _run([mvn, "-q", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt"], cwd=work)
    _run([mvn, "-q", "dependency:copy", f"-Dartifact=io.strimzi:api:{STRIMZI_API}",
          "-DoutputDirectory=."], cwd=work)  # fmt: skip
    classpath = f"{(work / 'cp.txt').read_text().strip()}:{work / f'api-{STRIMZI_API}.jar'}"
    targets = [f"{cls}={work / kind}.yaml" for kind, cls in _KINDS.items()]
    _run([java, "-cp", classpath, "io.strimzi.crdgenerator.CrdGenerator",
          "--crd-api-version", "v1", "--api-versions", "v1beta2", "--storage-version", "v1beta2",
          "--yaml", *targets], cwd=work)  # fmt: skip
    schemas = {}
    for kind in _KINDS:
        crd = yaml.safe_load((work / f"{kind}.yaml").read_text(encoding="utf-8"))
        (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1beta2"]
        schemas[kind] = version["schema"]["openAPIV3Schema"]
    return schemas
