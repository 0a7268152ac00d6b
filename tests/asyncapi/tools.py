"""The pinned AsyncAPI tooling of the tests: installed from the lock file, then run.

``package.json`` and ``package-lock.json`` beside this file pin ``@asyncapi/parser``, its Avro
schema parser, ``@asyncapi/specs`` (the official JSON Schemas) and ``avsc``. They are
installed with ``npm ci`` into ``.kcr/asyncapi-node/<lock hash>/`` once, outside the work
tree, so a clean machine reproduces exactly the same tree. Run ``python -m
tests.asyncapi.tools`` to install ahead of the tests (CI, Makefile).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PINNED = ("package.json", "package-lock.json")
VALIDATOR = HERE / "validate.mjs"


class ToolingMissing(RuntimeError):
    """node or npm is not on the machine, or the pinned install failed."""


def cache_dir() -> Path:
    """Where the pinned packages go: ``$KCR_DATA_DIR/asyncapi-node/<hash of the lock files>``."""
    data_dir = Path(os.environ.get("KCR_DATA_DIR", REPO / ".kcr"))
    if not data_dir.is_absolute():
        data_dir = REPO / data_dir
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in PINNED))
    return data_dir / "asyncapi-node" / digest.hexdigest()[:16]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolingMissing(
            f"{name} is not on PATH: the AsyncAPI validation needs node 20+ and npm "
            "(apt-get install nodejs npm); it is never skipped."
        )
    return path


def install() -> Path:
    """Install the pinned packages once (``npm ci``); return their ``node_modules`` folder.

    The install happens in a fresh folder that is renamed into place when complete, so an
    interrupted or concurrent install never leaves a half-filled cache behind.
    """
    target = cache_dir()
    if (target / "node_modules").is_dir():
        return target / "node_modules"
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in PINNED:
        shutil.copyfile(HERE / name, staging / name)
    command = [_tool("npm"), "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
    result = subprocess.run(
        command, cwd=staging, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise ToolingMissing(f"npm ci failed:\n{result.stdout}\n{result.stderr}")
    try:
        staging.rename(target)
    except OSError:  # another process finished first: use its copy
        shutil.rmtree(staging, ignore_errors=True)
    return target / "node_modules"


def parse_with_asyncapi_parser(document: Path) -> dict[str, Any]:
    """Run ``@asyncapi/parser`` (and avsc on every Avro payload) on ``document``.

    Returns the validator's report: ``parsed``, ``errors`` and the ``diagnostics``.
    """
    modules = install()
    result = subprocess.run(
        [_tool("node"), str(VALIDATOR), str(document), str(modules)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise ToolingMissing(f"the validator did not run:\n{result.stdout}\n{result.stderr}")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def official_schema(version: str = "3.0.0") -> dict[str, Any]:
    """Return the official JSON Schema of AsyncAPI ``version`` from ``@asyncapi/specs``."""
    path = install() / "@asyncapi" / "specs" / "schemas" / f"{version}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


if __name__ == "__main__":
    print(install())
    sys.exit(0)
