"""``kcr acl apply [--dry-run]``: make the broker's ACLs exactly those derived from the registry."""

from __future__ import annotations

import typer

from hub.cli.common import console, settings
from hub.contracts.organisations import load_registry
from hub.kafka.clients import confluent_options
from hub.security.acls import AclPlan, derive_acls, plan_acls
from hub.security.admin import acl_admin, apply_plan, current_acls

__all__ = ["acl_app", "print_plan"]

acl_app = typer.Typer(help="ACLs of a secure broker, derived from the organisation registry.")


def print_plan(plan: AclPlan, *, dry_run: bool) -> None:
    """Print each ACL to create (+) and delete (-), then the counts."""
    for rule in plan.create:
        console.print(f"+ ALLOW {rule.describe()}", markup=False, highlight=False)
    for rule in plan.delete:
        console.print(f"- ALLOW {rule.describe()}", markup=False, highlight=False)
    verb = ("would create", "would delete") if dry_run else ("created", "deleted")
    console.print(
        f"ACLs: {verb[0]} {len(plan.create)}, {verb[1]} {len(plan.delete)}, "
        f"unchanged {plan.unchanged}."
    )


@acl_app.command("apply")
def apply(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; change nothing."),
) -> None:
    """Create the derived ACLs that are missing and delete managed ones no longer derived.

    Logs in as ``admin`` (from KCR_CREDENTIALS_FILE or $KCR_DATA_DIR/credentials.json) unless
    KCR_SASL_USERNAME names another user.
    """
    cfg = settings()
    if cfg.credentials_file is None and cfg.sasl_username is None:
        default = cfg.data_dir / "credentials.json"
        cfg = cfg.model_copy(update={"credentials_file": default})
    admin = acl_admin(cfg.bootstrap, confluent_options(cfg))
    plan = plan_acls(current_acls(admin), derive_acls(load_registry(), cfg.topics), cfg.topics)
    if not dry_run:
        apply_plan(admin, plan)
    print_plan(plan, dry_run=dry_run)
