"""deploy/README.md cannot drift: its commands, settings, files and topic table are the code's."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import typer.main

from hub.cli.main import app
from hub.contracts.organisations import ORG_ID_PATTERN, OrganisationKind, load_registry
from hub.gateway.policy import GatewayPolicy
from hub.security.credentials import SERVICE_USERS, organisation_users
from hub.settings import Settings
from hub.topics.declaration import FOREVER, TopicSpec, declared_topics

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "deploy" / "README.md"
_DAY_MS = 24 * 3600 * 1000

RENDERED = ("deploy/compose", "deploy/k8s")
"""Folders written by ``kcr deploy render compose|k8s``: checked by their own test."""
OPERATOR_FILES = frozenset({"deploy/compose/.env", "deploy/compose/tls"})
"""What the operator makes on the target machine (.env from .env.example, make-tls.sh's output)."""
COMPOSE_VARIABLES = REPO / "deploy" / "compose" / ".env.example"
"""The compose file's own ``KCR_*`` variables (cluster id, TLS folder, ports), not hub settings."""

_FENCE = re.compile(r"^[ ]*```[a-z]*\n(.*?)^[ ]*```", re.MULTILINE | re.DOTALL)
_KCR = re.compile(r"(?:(?<![\w./$-])(?<!--entrypoint )kcr|\$OPSB?)((?: +[^\s|;&>#`]+)+)")
"""``kcr ...``, or ``$OPS``/``$OPSB ...``: the runbook's aliases for kcr in a compose container."""
_SETTING = re.compile(r"\bKCR_[A-Z0-9_]*[A-Z0-9]\b")
_PATH = re.compile(
    r"(?<![\w./$-])((?:hub|deploy|docs|schemas|examples|tests|connectors|bench)/[\w.*<>/-]*)"
)
_TOPIC = re.compile(r"(?<![\w.])(?:_kcr_schemas|kcr(?:\.(?:[a-z0-9-]+|<[a-z]+>))+(?:\.\*)?)")
_TEMPLATE = re.compile(r"<[a-z]+>")


@cache
def runbook() -> str:
    """The runbook's text."""
    return RUNBOOK.read_text(encoding="utf-8")


def code_snippets() -> list[str]:
    """Every fenced block (backslash continuations joined) and every inline code span."""
    text = runbook()
    blocks = [block.replace("\\\n", " ") for block in _FENCE.findall(text)]
    prose = _FENCE.sub("", text)
    return blocks + re.findall(r"`([^`\n]+)`", prose)


def kcr_invocations() -> list[list[str]]:
    """The words after ``kcr`` of each command line in the runbook's code."""
    found = []
    for snippet in code_snippets():
        for line in snippet.splitlines():
            command = re.sub(r"(?:^|\s)#.*", "", line)  # a shell comment is prose
            found += [m.group(1).split() for m in _KCR.finditer(command)]
    return found


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        names.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names


def _subcommands(command: Any) -> dict[str, Any]:
    """A group's commands by name (typer vendors click, so no isinstance on click.Group)."""
    commands: dict[str, Any] = getattr(command, "commands", {})
    return commands


def check_invocation(words: list[str]) -> str | None:
    """Why ``kcr <words>`` is not a command of the typer app with these options, or None."""
    command: Any = typer.main.get_command(app)
    depth = 0
    while words[depth:] and words[depth] in _subcommands(command):
        command = _subcommands(command)[words[depth]]
        depth += 1
    path = " ".join(["kcr", *words[:depth]])
    if depth == 0:
        return f"kcr {words[0]}: no such command"
    if _subcommands(command) and not command.invoke_without_command:
        return f"{path}: a group, name one of its commands"
    flags = {w.strip("[]").split("=", 1)[0] for w in words[depth:] if w.strip("[").startswith("--")}
    unknown = sorted(flags - _options(command))
    return f"{path}: no option {unknown}" if unknown else None


def test_every_kcr_command_and_option_exists() -> None:
    """Each ``kcr ...`` in the runbook's code is a command path of ``app`` with its options."""
    invocations = kcr_invocations()
    assert len(invocations) >= 20, "the runbook shows few kcr commands"
    paths = {" ".join(words[:2]) for words in invocations}
    assert {"acl apply", "replay --rebuild", "export --out"} <= paths
    problems = {problem for words in invocations if (problem := check_invocation(words))}
    assert sorted(problems) == []


def test_every_setting_named_is_a_settings_field() -> None:
    """Each ``KCR_*`` variable is a field of Settings (or of GatewayPolicy, ``KCR_GATEWAY_*``)."""
    known = {f"KCR_{name.upper()}" for name in Settings.model_fields}
    known |= {f"KCR_GATEWAY_{name.upper()}" for name in GatewayPolicy.model_fields}
    if COMPOSE_VARIABLES.exists():
        known |= set(re.findall(r"^(KCR_[A-Z0-9_]+)=", COMPOSE_VARIABLES.read_text(), re.MULTILINE))
    named = set(_SETTING.findall(runbook()))
    assert {"KCR_BOOTSTRAP", "KCR_CREDENTIALS_FILE", "KCR_SASL_PASSWORD"} <= named
    assert sorted(named - known) == []


def _named_paths() -> set[str]:
    return {m.group(1).rstrip(".,:;)") for m in _PATH.finditer(runbook())}


def _exists(path: str) -> bool:
    pattern = _TEMPLATE.sub("*", path).rstrip("/")
    if "*" in pattern:
        return any(REPO.glob(pattern))
    return (REPO / pattern).exists()


def test_every_repo_path_named_exists() -> None:
    """Each file or folder of the repository the runbook names exists (rendered ones aside)."""
    paths = {p for p in _named_paths() if not p.startswith(RENDERED) and p not in OPERATOR_FILES}
    assert {"hub/topics/declaration.py", "hub/contracts/data/organisations.json"} <= paths
    assert sorted(p for p in paths if not _exists(p)) == []


def test_rendered_deployment_files_named_exist() -> None:
    """The deploy/compose and deploy/k8s files it names exist: ``kcr deploy render`` writes them."""
    paths = {p for p in _named_paths() if p.startswith(RENDERED) and p not in OPERATOR_FILES}
    assert "deploy/compose/compose.yaml" in paths
    missing = sorted(p for p in paths if not _exists(p))
    assert missing == [], f"render them: kcr deploy render compose|k8s --out DIR; {missing}"


def _matches(name: str, specs: list[TopicSpec]) -> list[TopicSpec]:
    """The declared topics ``name`` (a topic, a ``<x>`` template or a ``.*`` prefix) stands for."""
    pattern = _TEMPLATE.sub("[a-z0-9-]+", re.escape(name).replace(r"\<", "<").replace(r"\>", ">"))
    pattern = pattern.removesuffix(r"\.\*") + (r"\..+" if name.endswith(".*") else "")
    return [spec for spec in specs if re.fullmatch(pattern, spec.name)]


def test_every_topic_named_is_declared() -> None:
    """Each kcr.* topic, template or prefix is a declared topic (consumer groups aside)."""
    specs = declared_topics()
    named = {m.group(0).rstrip(".") for m in _TOPIC.finditer(runbook())}
    named = {n for n in named if not n.startswith("kcr.connector.")}
    assert "kcr.ingress.<org>" in named
    assert sorted(n for n in named if not _matches(n, specs)) == []


def _retention(text: str) -> int | None:
    if text == "-":
        return None
    if text == "forever":
        return FOREVER
    days = re.fullmatch(r"(\d+) days", text)
    assert days, f"retention {text!r} is neither '-', 'forever' nor 'N days'"
    return int(days.group(1)) * _DAY_MS


def _table_rows() -> list[list[str]]:
    header = "| topics | count | partitions | cleanup.policy | retention | other configs |"
    table = runbook().split(header, 1)[1].split("\n\n", 1)[0]
    lines = table.strip().splitlines()[1:]  # below the |---| line
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]


def test_topic_table_is_the_declaration() -> None:
    """The sizing table covers every declared topic once, with its partitions and configs."""
    specs = declared_topics()
    covered: list[str] = []
    for names, count, partitions, cleanup, retention, other in _table_rows():
        matched = [s for n in re.findall(r"`([^`]+)`", names) for s in _matches(n, specs)]
        assert matched, names
        assert len(matched) == int(count), names
        configs = dict(re.findall(r"`([a-z.]+)=([^`]+)`", other))
        for spec in matched:
            assert spec.partitions == int(partitions), spec.name
            assert spec.cleanup_policy == cleanup, spec.name
            wanted = _retention(retention)
            assert (spec.retention_ms if spec.cleanup_policy == "delete" else None) == wanted
            assert configs.items() <= spec.configs().items(), spec.name
            assert set(spec.extra) <= set(configs), spec.name
        covered += [spec.name for spec in matched]
    assert sorted(covered) == sorted(spec.name for spec in specs)
    orgs = len(organisation_users(load_registry()))
    regions = len(load_registry().regions())
    assert f"{orgs} today ({regions} regions, {orgs - regions} national partners)" in runbook()


def test_registry_rules_quoted_are_the_code() -> None:
    """The id pattern, the kinds, the roles and the service users are the registry's."""
    text = runbook().split("1. Add the entry", 1)[1].split("2. Check it", 1)[0]
    assert f"`{ORG_ID_PATTERN}`" in text
    roles = {r.name for r in load_registry().roles()} - {"hub"}
    kinds = {k.value for k in OrganisationKind} - {"hub"}
    role_text = text.split("`role` must be a role of `roles.json`:", 1)[1].split(".", 1)[0]
    kind_text = text.split("`kind` is one of", 1)[1].split(".", 1)[0]
    quoted_roles = set(re.findall(r"`([a-z_]+)`", role_text))
    quoted_kinds = set(re.findall(r"`([a-z_]+)`", kind_text))
    assert quoted_roles == roles
    assert quoted_kinds == kinds
    services = set(re.findall(r"`([a-z]+)`", text.split("service users (", 1)[1].split(")")[0]))
    assert services == set(SERVICE_USERS)


def test_gateway_defaults_quoted_are_the_policy_defaults() -> None:
    """2000 records per transaction, 200 ms polls and 256 KiB records are the gateway's defaults."""
    policy = GatewayPolicy()
    assert policy.batch_max_records == 2000
    assert "`KCR_GATEWAY_BATCH_MAX_RECORDS` (default 2000" in runbook()
    assert policy.poll_timeout_ms == 200
    assert "`KCR_GATEWAY_POLL_TIMEOUT_MS` (200 ms)" in runbook()
    assert policy.max_record_bytes == 256 * 1024
    assert "`KCR_GATEWAY_MAX_RECORD_BYTES` (256 KiB)" in runbook()
