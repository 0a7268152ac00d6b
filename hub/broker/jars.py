"""Find Java and Maven, and copy the Kafka jars from Maven Central once."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from hub.errors import BrokerError, EnvironmentProblem

__all__ = ["MIN_JAVA", "check_java", "ensure_jars", "pom_text"]

MIN_JAVA = 17
_STAMP = ".complete"


def pom_text() -> str:
    """Return the POM that lists the broker's jars (also at ``deploy/kafka/pom.xml``)."""
    return resources.files("hub.broker").joinpath("kafka-pom.xml").read_text(encoding="utf-8")


def check_java() -> int:
    """Return the major version of ``java`` on PATH, or raise when it is missing or too old."""
    if shutil.which("java") is None:
        raise EnvironmentProblem(
            "java",
            "Java was not found on PATH; the Kafka broker needs Java 17 or newer.",
            fix="install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless).",
        )
    out = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise EnvironmentProblem(
            "java",
            f"Java {major or '?'} was found; Kafka 4 needs Java {MIN_JAVA} or newer.",
            fix="install a JDK 17+ and put it first on PATH (or set JAVA_HOME).",
        )
    return major


def _check_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise EnvironmentProblem(
            "mvn",
            "Maven was not found on PATH; it fetches the Kafka jars from Maven Central once.",
            fix="install Maven (Debian: apt-get install maven) or copy the jars to KCR_JARS_DIR.",
        )
    return mvn


def ensure_jars(jars_dir: Path) -> Path:
    """Copy the broker's runtime jars into ``jars_dir`` unless they are there already.

    The copy is keyed by the POM's hash, so a new Kafka version fetches anew. Returns the folder.
    """
    text = pom_text()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    target = (jars_dir / digest).resolve()  # Maven resolves relative paths against the POM
    if (target / _STAMP).exists():
        return target
    mvn = _check_maven()
    target.mkdir(parents=True, exist_ok=True)
    pom = target / "pom.xml"
    pom.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={target}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise BrokerError(
            "Maven could not fetch the Kafka jars from Maven Central.",
            fix="check the network to Maven Central and ~/.m2/settings.xml, then retry.",
            log_tail=tail,
        )
    if not any(target.glob("kafka_2.13-*.jar")):
        raise BrokerError(
            f"Maven finished but no Kafka broker jar is in {target}.",
            fix=f"remove {target} and run `kcr broker install` again.",
            log_tail="\n".join((result.stdout + result.stderr).splitlines()[-20:]),
        )
    (target / _STAMP).write_text(digest, encoding="utf-8")
    return target
