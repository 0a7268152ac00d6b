"""The TLP rules of the router (:mod:`hub.domain.routing`), said for partners.

The text follows what :func:`hub.domain.routing.route` does; the national centres, the label
order, the least label of directed outputs and the label of view records are read from the
registry, :mod:`hub.contracts.outputs.base` and ``data/workflows.toml``, not restated.
"""

from __future__ import annotations

from typing import Any

from hub.contracts.events.envelope import Tlp
from hub.contracts.organisations import OrganisationKind, OrganisationRegistry
from hub.contracts.outputs.base import DIRECTED_TLP, TLP_ORDER
from hub.domain.workflow_settings import load_workflow_settings

__all__ = ["national_centres", "tlp_extension", "tlp_markdown", "tlp_rules"]


def national_centres(registry: OrganisationRegistry) -> tuple[str, ...]:
    """Return the ids of the national centres, which AMBER also reaches."""
    return tuple(
        o.id for o in registry.organisations() if o.kind is OrganisationKind.NATIONAL_CENTRE
    )


def tlp_rules(registry: OrganisationRegistry) -> dict[str, str]:
    """Return, per TLP label, which outboxes may receive an output with that label."""
    centres = ", ".join(national_centres(registry))
    return {
        Tlp.RED.value: "the named recipients only (an event with RED must name recipients)",
        Tlp.AMBER_STRICT.value: (
            "the organisations involved: the named recipients and the regions it is about "
            "(data.regions, or the region of a region or incident view)"
        ),
        Tlp.AMBER.value: f"the organisations involved and the national centres ({centres})",
        Tlp.GREEN.value: "every partner (every organisation but the hub)",
        Tlp.CLEAR.value: "every partner, and also public channels",
    }


def tlp_extension(registry: OrganisationRegistry) -> dict[str, Any]:
    """Return the ``x-kcr-tlp`` extension: labels, who may receive what, and the defaults."""
    return {
        "order": [label.value for label in TLP_ORDER],
        "mayReceive": tlp_rules(registry),
        "nationalCentres": list(national_centres(registry)),
        "directedOutputsAtLeast": DIRECTED_TLP.value,
        "viewRecords": load_workflow_settings().routing.view_tlp.value,
        "delivery": (
            "Named recipients always receive an output; other partners receive it when their "
            "subscriptions want outputs of its kind about the organisations involved, and only "
            "as far as the label allows."
        ),
    }


def tlp_markdown(registry: OrganisationRegistry) -> str:
    """Return the TLP rules as a Markdown section for the document's description."""
    ext = tlp_extension(registry)
    lines = [
        "## Traffic Light Protocol",
        "",
        "Every event carries a TLP 2.0 label (`tlp`, header `ce_tlp`; `AMBER_STRICT` stands "
        "for AMBER+STRICT). The router decides which outboxes may receive a hub output:",
        "",
        *(f"- `{label}`: {rule}" for label, rule in ext["mayReceive"].items()),
        "",
        f"{ext['delivery']} Directed workflow outputs (coordination, assistance, information, "
        f"advice) are at least `{ext['directedOutputsAtLeast']}`, or stricter when the partner "
        f"event that caused them was; view records are routed as `{ext['viewRecords']}`.",
    ]
    return "\n".join(lines)
