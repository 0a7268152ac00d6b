"""The router: which organisations' outboxes (``kcr.outbox.<org>``) receive a hub output.

:func:`route` is pure: the output and the subscriptions in, the organisations out. Of every
output it reads four facts (:func:`facts_of`): its kind (``signals`` for escalations,
``views`` for view records, else its family), its TLP, its named recipients, and the
regions it is about (``data.regions`` of an event; the region(s) of a region or incident
view). The organisations *involved* are the recipients and those regions.

TLP decides who *may* receive it:

- ``RED``: the named recipients only;
- ``AMBER_STRICT``: the organisations involved;
- ``AMBER``: the organisations involved and the national centres (NCC, LOCC);
- ``GREEN``: every partner; ``CLEAR``: every partner, and public channels (``public``).

Who *does* receive it: the named recipients always (they are always allowed), plus every
partner whose subscriptions want an output of that kind about those organisations, as far as
the TLP allows. The hub itself has no outbox. The partners and the national centres are those
of the registry the subscription book was built with (the projection's). View records carry
no label; they are routed with ``routing.view_tlp`` from ``data/workflows.toml``.

An output derived from events some organisations may not see carries its
:class:`~hub.domain.audience.Audience` (the narrowest of its inputs): it reaches only those
the TLP allows *and* the audience names, and its :attr:`Delivery.tlp` is the stricter label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.events.subscription import SUBSCRIPTION_KINDS
from hub.contracts.organisations import OrganisationKind, OrganisationRegistry
from hub.contracts.outputs.views import IncidentView, RegionView, View
from hub.domain.audience import Audience, allowed_orgs, strictest
from hub.domain.subscriptions import SubscriptionBook
from hub.domain.views import ViewRecord

__all__ = ["Delivery", "Routable", "RoutingFacts", "facts_of", "partners", "route", "route_all"]

Routable = EventEnvelope | ViewRecord
"""What the router routes: an output event of the hub, or a view record."""


class RoutingFacts(NamedTuple):
    """What the router reads of an output."""

    kind: str
    tlp: Tlp
    recipients: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def involved(self) -> frozenset[str]:
        """The organisations involved: the named recipients and the regions it is about."""
        return frozenset(self.recipients) | frozenset(self.regions)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One output and the organisations whose outbox receives it (registry order)."""

    output: Routable
    recipients: tuple[str, ...]
    public: bool = False
    tlp: Tlp | None = None
    """The label it goes out with when it has no envelope to carry one (a view record)."""


@cache
def partners(organisations: OrganisationRegistry) -> tuple[str, ...]:
    """Return the organisations with an outbox: every one but the hub, in registry order."""
    return tuple(o.id for o in organisations.organisations() if o.kind is not OrganisationKind.HUB)


@cache
def _national_centres(organisations: OrganisationRegistry) -> frozenset[str]:
    return frozenset(
        o.id for o in organisations.organisations() if o.kind is OrganisationKind.NATIONAL_CENTRE
    )


def _view_regions(view: View) -> tuple[str, ...]:
    if isinstance(view, RegionView):
        return (view.region_id,)
    if isinstance(view, IncidentView):
        return view.regions
    return ()


def facts_of(output: Routable, view_tlp: Tlp) -> RoutingFacts:
    """Return the kind, TLP, recipients and regions of ``output``."""
    if isinstance(output, ViewRecord):
        return RoutingFacts("views", view_tlp, (), _view_regions(output.view))
    family = output.family
    kind = "signals" if family == "escalation" else family
    regions = getattr(output.data, "regions", ())
    return RoutingFacts(kind, output.tlp, output.recipients, tuple(regions))


def _allowed(
    facts: RoutingFacts, audience: Audience | None, organisations: OrganisationRegistry
) -> frozenset[str]:
    centres = _national_centres(organisations)
    allowed = allowed_orgs(facts.tlp, facts.recipients, facts.regions, centres)
    if audience is not None:
        allowed = audience.limit(allowed)
    return frozenset(partners(organisations)) if allowed is None else allowed


def route(
    output: Routable,
    subscriptions: SubscriptionBook,
    view_tlp: Tlp = Tlp.AMBER,
    audience: Audience | None = None,
) -> Delivery:
    """Return the organisations whose outbox receives ``output``, and whether it is public.

    The partners are those of the registry of ``subscriptions``. ``audience``: who may see
    what ``output`` was derived from, when that is not everyone.
    """
    organisations = subscriptions.organisations
    facts = facts_of(output, view_tlp)
    allowed = _allowed(facts, audience, organisations)  # its label's, of who may see its inputs
    label = facts.tlp if audience is None else strictest(facts.tlp, audience.tlp)
    involved = facts.involved
    subscribed = facts.kind in SUBSCRIPTION_KINDS
    recipients = tuple(
        org
        for org in partners(organisations)
        if org in allowed
        and (
            org in facts.recipients
            or (subscribed and subscriptions.wants(org, facts.kind, involved))
        )
    )
    public = label is Tlp.CLEAR and (audience is None or not audience.restricted)
    return Delivery(
        output, recipients, public=public, tlp=label if isinstance(output, ViewRecord) else None
    )


def route_all(
    outputs: Iterable[Routable],
    subscriptions: SubscriptionBook,
    view_tlp: Tlp = Tlp.AMBER,
    audience_of: Callable[[Routable], Audience | None] = lambda _: None,
) -> list[Delivery]:
    """Route every output, in order; keep those that reach an outbox or the public.

    ``audience_of`` gives who may see what an output was derived from (None: everyone).
    """
    deliveries = (route(o, subscriptions, view_tlp, audience_of(o)) for o in outputs)
    return [d for d in deliveries if d.recipients or d.public]
