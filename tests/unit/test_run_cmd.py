"""``kcr run``: which child processes the supervisor starts, and the options it refuses."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from hub.cli.main import app
from hub.processes import hub_children
from hub.services import SERVICE_NAMES


def test_every_service_is_a_child_that_waits_for_the_registry() -> None:
    """Start order as declared; each child runs `kcr run --only` itself after the registry."""
    children = hub_children()
    assert [child.name for child in children] == list(SERVICE_NAMES)
    assert children[0].needs == ()
    assert all(child.needs == ("registry",) for child in children[1:])
    gateway = children[1]
    assert gateway.command[:5] == (sys.executable, "-m", "hub.cli", "run", "--only")
    assert gateway.command[5] == "gateway"


def test_without_the_registry_no_child_waits_for_it() -> None:
    """A hub part without the registry (it runs elsewhere) starts its services at once."""
    children = hub_children(["gateway", "processors"])
    assert [(child.name, child.needs) for child in children] == [
        ("gateway", ()),
        ("processors", ()),
    ]


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--only", "gateway", "--without", "clock"], "either --only or --without"),
        (["--only", "kitchen"], "unknown service(s) ['kitchen']"),
        ([arg for name in SERVICE_NAMES for arg in ("--without", name)], "nothing to run"),
    ],
)
def test_run_refuses_options_that_make_no_sense(arguments: list[str], complaint: str) -> None:
    """Both --only and --without, an unknown service, or no service at all: a usage error."""
    result = CliRunner().invoke(app, ["run", *arguments])
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())
