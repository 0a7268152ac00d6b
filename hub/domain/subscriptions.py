"""Who wants which kinds of hub output in their outbox: role defaults, changed by events.

Every organisation of the book's registry starts from the subscriptions of its role
(``subscriptions`` in ``hub/contracts/data/roles.json``; a role without an entry has none):
entries ``kind`` (every output of that kind), ``kind:own`` (outputs involving the
organisation itself) or ``kind:neighbours`` (involving it or a region bordering it in that
registry). ``nl.kcr.subscription.changed`` changes them for its source:
first the kinds in ``remove`` are dropped, then the kinds in ``add`` are set, filtered to the
event's ``regions`` if it names any. A change whose subject is not its source, or from an
organisation whose role may not publish it, is ignored and counted (the domain does not trust
the gateway). All changes of one organisation share its id as subject, so they apply in log
order. Subscriptions only *select*: the router never lets one reach past an output's TLP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.events.subscription import SUBSCRIPTION_KINDS, SubscriptionChanged
from hub.contracts.organisations import OrganisationRegistry
from hub.errors import ConfigurationError

__all__ = ["SCOPES", "Filter", "SubscriptionBook", "default_subscriptions"]

Filter = frozenset[str] | None
"""Which outputs of a kind are wanted: None for all, else those involving one of these ids."""

SCOPES = ("all", "own", "neighbours")
"""Scopes of a role's default subscription: ``kind``, ``kind:own``, ``kind:neighbours``."""

_ROLES_FILE = "hub/contracts/data/roles.json"


@cache
def _role_entries() -> Mapping[str, tuple[tuple[str, str], ...]]:
    """Return per role its default (kind, scope) entries, checked against the file's roles."""
    text = resources.files("hub.contracts").joinpath("data", "roles.json").read_text("utf-8")
    document = json.loads(text)
    table: dict[str, list[str]] = document.get("subscriptions", {})
    roles = {role["name"] for role in document.get("roles", ())}
    entries: dict[str, tuple[tuple[str, str], ...]] = {}
    for role, specs in table.items():
        where = f"subscriptions.{role}"
        if role not in roles:
            raise ConfigurationError(where, f"unknown role in {_ROLES_FILE}")
        parsed = [(*spec.split(":", 1), "all")[:2] for spec in specs]
        for kind, scope in parsed:
            if kind not in SUBSCRIPTION_KINDS or scope not in SCOPES:
                raise ConfigurationError(
                    where,
                    f"bad entry {kind}:{scope} in {_ROLES_FILE}; kinds: "
                    f"{', '.join(SUBSCRIPTION_KINDS)}; scopes: {', '.join(SCOPES)}",
                )
        entries[role] = tuple((kind, scope) for kind, scope in parsed)
    return MappingProxyType(entries)


def default_subscriptions(organisations: OrganisationRegistry, org_id: str) -> Mapping[str, Filter]:
    """Return the subscriptions of ``org_id``'s role in ``organisations``, by kind."""
    own = frozenset({org_id})
    around = own | {org.id for org in organisations.neighbours(org_id)}
    scopes: dict[str, Filter] = {"all": None, "own": own, "neighbours": around}
    entries = _role_entries().get(organisations.get(org_id).role, ())
    return MappingProxyType({kind: scopes[scope] for kind, scope in entries})


class SubscriptionBook:
    """The subscriptions of every organisation of ``organisations``: defaults, or as changed.

    The router reaches the partners of this registry (:func:`hub.domain.routing.route`).
    """

    def __init__(self, organisations: OrganisationRegistry) -> None:
        self.organisations = organisations
        self.changed: dict[str, dict[str, Filter]] = {}
        self.ignored = 0
        self._defaults: dict[str, Mapping[str, Filter]] = {}  # made once per organisation

    def apply(self, event: EventEnvelope) -> None:
        """Apply a subscription change of its source; other events are no concern here."""
        if not isinstance(event, SubscriptionChanged):
            return
        allowed = self.organisations.may_publish(event.source, event.type)
        if event.subject != event.source or not allowed:
            self.ignored += 1
            return
        data = event.data
        current = dict(self.of(event.source))
        for kind in data.remove:
            current.pop(kind, None)
        for kind in data.add:
            current[kind] = frozenset(data.regions) if data.regions else None
        self.changed[event.source] = current

    def of(self, org_id: str) -> Mapping[str, Filter]:
        """Return the subscriptions of ``org_id`` by kind."""
        changed = self.changed.get(org_id)
        if changed is not None:
            return changed
        defaults = self._defaults.get(org_id)
        if defaults is None:
            defaults = self._defaults[org_id] = default_subscriptions(self.organisations, org_id)
        return defaults

    def wants(self, org_id: str, kind: str, involved: frozenset[str]) -> bool:
        """Whether ``org_id`` wants an output of ``kind`` that involves ``involved``."""
        subscriptions = self.of(org_id)
        if kind not in subscriptions:
            return False
        wanted = subscriptions[kind]
        return wanted is None or not wanted.isdisjoint(involved)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the changed subscriptions as a JSON-able dict."""
        return {
            "ignored": self.ignored,
            "changed": {
                org: {kind: None if f is None else sorted(f) for kind, f in subs.items()}
                for org, subs in self.changed.items()
            },
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], organisations: OrganisationRegistry
    ) -> SubscriptionBook:
        """Rebuild the book of ``organisations`` from :meth:`to_snapshot`'s dict."""
        book = cls(organisations)
        book.ignored = int(data["ignored"])
        book.changed = {
            org: {kind: None if f is None else frozenset(f) for kind, f in subs.items()}
            for org, subs in data["changed"].items()
        }
        return book
