"""``kcr topics apply|list``: make the broker's topics match the declaration."""

from __future__ import annotations

import typer
from rich.table import Table

from hub.cli.common import console, settings
from hub.kafka.clients import confluent_options
from hub.topics import declared_topics
from hub.topics.admin import apply_topics

__all__ = ["topics_app"]

topics_app = typer.Typer(help="Topics as code: the declared hub topics.")


@topics_app.command("apply")
def apply() -> None:
    """Create the declared topics that are missing and report those that differ (idempotent).

    On a secure broker it logs in as the operator: ``admin`` from KCR_CREDENTIALS_FILE, or
    KCR_SASL_USERNAME / KCR_SASL_PASSWORD.
    """
    cfg = settings()
    report = apply_topics(cfg.bootstrap, declared_topics(cfg.topics), confluent_options(cfg))
    for name in report.created:
        console.print(f"created  {name}")
    for name, diff in report.differences.items():
        console.print(f"[yellow]differs[/]  {name}: {'; '.join(diff)}")
    console.print(
        f"{len(report.created)} created, {len(report.unchanged)} unchanged, "
        f"{len(report.differences)} differ from the declaration."
    )
    if not report.in_sync:
        raise typer.Exit(2)


@topics_app.command("list")
def list_declared() -> None:
    """Print the declared topics with their partitions, cleanup policy and retention."""
    table = Table("topic", "partitions", "cleanup", "retention", "purpose")
    for spec in declared_topics(settings().topics):
        retention = (
            "-"
            if spec.cleanup_policy == "compact"
            else "forever"
            if spec.retention_ms < 0
            else f"{spec.retention_ms // 86_400_000} d"
        )
        table.add_row(spec.name, str(spec.partitions), spec.cleanup_policy, retention, spec.purpose)
    console.print(table)
