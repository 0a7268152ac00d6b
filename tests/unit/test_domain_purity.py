"""The domain is pure: no wall clock, no randomness, no I/O beyond packaged data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "hub" / "domain"
MODULES = sorted(DOMAIN.rglob("*.py"))

FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "open", "urandom"}
FORBIDDEN_IMPORTS = {"random", "uuid", "time", "os", "socket", "asyncio", "threading", "pathlib"}


def _called_names(tree: ast.AST) -> set[str]:
    """Return the names of everything called in ``tree`` (``x.now()`` gives 'now')."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _imported(tree: ast.AST) -> set[str]:
    """Return the top-level modules imported in ``tree``."""
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_module_reads_no_clock_and_does_no_io(path: Path) -> None:
    """No domain module calls now()/today()/time() or open(), nor imports random, os, time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _called_names(tree) & FORBIDDEN_CALLS == set()
    assert _imported(tree) & FORBIDDEN_IMPORTS == set()
