"""Who may see what the hub derives: the audience of an event, narrowed through derivation.

TLP decides who may receive an event (the router's rules, :func:`allowed_orgs`):

- ``RED``: the named recipients only;
- ``AMBER_STRICT``: the organisations involved (the named recipients and the regions the
  event is about);
- ``AMBER``: the organisations involved and the national centres;
- ``GREEN`` and ``CLEAR``: every partner.

The :class:`Audience` of a partner's event is that set plus its publisher (it knows what it
published). Whatever the hub derives from several events (an incident from its report,
updates and closure; a signal from a group of incidents) has the *narrowest* audience of them
(:meth:`Audience.narrow`): the strictest label and the organisations every input allows. A
label never widens: a later, wider event cannot undo what an earlier, stricter one restricted.

:class:`Visibility` holds what the audiences are compared with: the national centres, the
label of the view records (``routing.view_tlp``), and which organisations read the shared
output topics by role (``kcr.view.*`` and ``kcr.signal.*``: the national centres). A shared
aggregate (a region or national view, the capacity view, a supra-regional signal) counts an
input only when the input's audience covers everyone the aggregate reaches
(:meth:`Visibility.region_audience`, :meth:`Visibility.national_audience`); so the national
summary the AMBER audience reads never counts a RED incident.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.organisations import OrganisationKind, OrganisationRegistry, load_registry

__all__ = [
    "EVERYONE",
    "AggregateLabel",
    "Audience",
    "Visibility",
    "allowed_orgs",
    "answers_requester",
    "default_visibility",
    "limited",
    "request_limit",
    "strictest",
]

_RANK: dict[Tlp, int] = {
    tlp: rank
    for rank, tlp in enumerate((Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED))
}


def strictest(*labels: Tlp) -> Tlp:
    """Return the most restrictive of ``labels`` (``RED`` over ``AMBER_STRICT`` over ...)."""
    return max(labels, key=_RANK.__getitem__)


def allowed_orgs(
    tlp: Tlp,
    recipients: Iterable[str],
    regions: Iterable[str],
    national_centres: frozenset[str],
) -> frozenset[str] | None:
    """Return who may receive something labelled ``tlp``; None: every partner (no limit)."""
    if tlp is Tlp.RED:
        return frozenset(recipients)
    involved = frozenset(recipients) | frozenset(regions)
    if tlp is Tlp.AMBER_STRICT:
        return involved
    if tlp is Tlp.AMBER:
        return involved | national_centres
    return None


def request_limit(
    tlp: Tlp | str, recipients: Iterable[str], regions: Iterable[str], requester: str
) -> frozenset[str] | None:
    """Return whom the hub may involve on a request's behalf; None: whomever its workflow picks.

    A request (assistance, information, advice) asks the hub to involve others: an AMBER or
    wider one lets the workflow choose (neighbours with capacity, the addressees, the
    validators); a RED one limits that to its named recipients, an AMBER_STRICT one to those
    and the regions it is about; the requester is always involved.
    """
    tlp = Tlp(tlp)
    if tlp not in (Tlp.RED, Tlp.AMBER_STRICT):
        return None
    allowed = allowed_orgs(tlp, recipients, regions, frozenset())
    return frozenset(allowed or ()) | {requester}


def answers_requester(event: EventEnvelope, requester: str) -> bool:
    """Whether an answer (an offer, an answer to a question) may reach its requester.

    Answering a request involves its requester, so any label but RED does; a RED answer only
    when it names the requester among its recipients. One that does not is no answer to it:
    the workflows ignore it (it stays in the log).
    """
    return event.tlp is not Tlp.RED or requester in event.recipients


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may see something: its strictest TLP and the organisations allowed (None: all)."""

    tlp: Tlp
    orgs: frozenset[str] | None

    @property
    def restricted(self) -> bool:
        """Whether only some organisations may see it."""
        return self.orgs is not None

    def narrow(self, other: Audience) -> Audience:
        """Return the audience of something derived from both: stricter label, fewer orgs."""
        if other is self or other == self:
            return self
        if self.orgs is None:
            orgs = other.orgs
        elif other.orgs is None:
            orgs = self.orgs
        else:
            orgs = self.orgs & other.orgs
        return Audience(strictest(self.tlp, other.tlp), orgs)

    def covers(self, orgs: frozenset[str] | None) -> bool:
        """Whether every one of ``orgs`` may see it (None: every partner)."""
        if self.orgs is None:
            return True
        return orgs is not None and orgs <= self.orgs

    def limit(self, orgs: frozenset[str] | None) -> frozenset[str] | None:
        """Return those of ``orgs`` (None: every partner) that may see it (None: no limit)."""
        if self.orgs is None:
            return orgs
        return self.orgs if orgs is None else orgs & self.orgs

    def to_json(self) -> list[Any]:
        """Return the audience as ``[tlp, sorted orgs or null]``."""
        return [self.tlp.value, None if self.orgs is None else sorted(self.orgs)]

    @classmethod
    def from_json(cls, data: list[Any] | None) -> Audience:
        """Rebuild an audience from :meth:`to_json`'s list (None: :data:`EVERYONE`)."""
        if data is None:
            return EVERYONE
        tlp, orgs = data
        return _interned(Tlp(tlp), None if orgs is None else frozenset(orgs))


EVERYONE = Audience(Tlp.CLEAR, None)
"""The audience of what every partner, and the public, may see."""


def limited(tlp: Tlp | str, limit: frozenset[str] | None) -> Audience:
    """The audience of a signal about a request whose label limits it to ``limit``."""
    return EVERYONE if limit is None else _interned(Tlp(tlp), limit)


@dataclass(frozen=True, slots=True)
class AggregateLabel:
    """The labels of the events of one aggregate (an incident), to tell who may see it.

    Each event of the owner (the organisation that created the aggregate) allows what its
    label allows with the regions the *owner* last gave it (:attr:`regions`): an owner's update
    that moves an incident into another region shares its own information there, while a move
    by anyone else widens nothing. Who may see the aggregate is what every one of its events
    allows: for the owner's events that is

        (∩ recipients of its RED events) ∩ (∩ recipients of its AMBER_STRICT events ∪ regions)
        ∩ (∩ recipients of its AMBER events ∪ regions ∪ national centres)

    (a missing term allows everyone), kept as one intersection per label (:attr:`red`,
    :attr:`strict`, :attr:`amber`), plus the owner. An event of anyone else (a role allowed to
    change others' aggregates) narrows by its own audience (:attr:`others`). The label is
    the strictest seen; neither it nor the audience ever widens for the same regions.
    """

    owner: str
    tlp: Tlp
    red: frozenset[str] | None = None
    strict: frozenset[str] | None = None
    amber: frozenset[str] | None = None
    others: Audience = EVERYONE
    regions: tuple[str, ...] = ()
    """The regions the owner last gave the aggregate."""

    @classmethod
    def first(cls, event: EventEnvelope) -> AggregateLabel:
        """The label of an aggregate its first event created."""
        return cls(event.source, Tlp.CLEAR).with_event(event, None, ())

    def with_event(
        self, event: EventEnvelope, visibility: Visibility | None, regions: Iterable[str]
    ) -> AggregateLabel:
        """The label after ``event`` (about ``regions``) changed the aggregate."""
        if event.source != self.owner:
            if visibility is None:  # pragma: no cover - the first event is the owner's
                raise ValueError("an event of another organisation needs the visibility")
            others = self.others.narrow(visibility.of_event(event, regions))
            return self if others == self.others else replace(self, others=others)
        tlp, named = strictest(self.tlp, event.tlp), frozenset(event.recipients)
        given = getattr(event.data, "regions", None)
        owned = tuple(given) if given else self.regions
        red, strict, amber = self.red, self.strict, self.amber
        if event.tlp is Tlp.RED:
            red = _meet(red, named)
        elif event.tlp is Tlp.AMBER_STRICT:
            strict = _meet(strict, named)
        elif event.tlp is Tlp.AMBER:
            amber = _meet(amber, named)
        changed = (tlp, red, strict, amber, owned) != (
            self.tlp,
            self.red,
            self.strict,
            self.amber,
            self.regions,
        )
        if not changed:
            return self  # the usual update: nothing about who may see it moves
        return replace(self, tlp=tlp, red=red, strict=strict, amber=amber, regions=owned)

    def audience(self, visibility: Visibility) -> Audience:
        """Who may see the aggregate now."""
        allowed: frozenset[str] | None = None
        regions = frozenset(self.regions)
        if self.red is not None:
            allowed = _meet(allowed, self.red)
        if self.strict is not None:
            allowed = _meet(allowed, self.strict | regions)
        if self.amber is not None:
            allowed = _meet(allowed, self.amber | regions | visibility.national_centres)
        own = _interned(self.tlp, None if allowed is None else allowed | {self.owner})
        return own.narrow(self.others)

    def to_json(self) -> list[Any]:
        """Return the label as ``[owner, tlp, red, strict, amber, others, regions]``."""
        sets = [None if s is None else sorted(s) for s in (self.red, self.strict, self.amber)]
        return [self.owner, self.tlp.value, *sets, self.others.to_json(), list(self.regions)]

    @classmethod
    def from_json(cls, data: list[Any]) -> AggregateLabel:
        """Rebuild a label from :meth:`to_json`'s list."""
        owner, tlp, red, strict, amber, others, regions = data
        red, strict, amber = (None if s is None else frozenset(s) for s in (red, strict, amber))
        return cls(owner, Tlp(tlp), red, strict, amber, Audience.from_json(others), tuple(regions))


def _meet(known: frozenset[str] | None, more: frozenset[str]) -> frozenset[str]:
    """The intersection of ``known`` (None: everyone) and ``more``."""
    return more if known is None else known & more


@lru_cache(maxsize=65_536)
def _interned(tlp: Tlp, orgs: frozenset[str] | None) -> Audience:
    """One object per audience, so the many incidents sharing one share its memory.

    Bounded: recipient sets are the partners' choice, so the distinct audiences are too.
    """
    return Audience(tlp, orgs)


class Visibility:
    """The audiences of events and of the shared outputs, for one organisation registry.

    ``view_tlp`` is the label the view records go out with (``routing.view_tlp``).
    """

    def __init__(self, registry: OrganisationRegistry, view_tlp: Tlp = Tlp.AMBER) -> None:
        self.view_tlp = view_tlp
        self.national_centres = frozenset(
            o.id for o in registry.organisations() if o.kind is OrganisationKind.NATIONAL_CENTRE
        )
        partners = [o.id for o in registry.organisations() if o.kind is not OrganisationKind.HUB]
        self.view_readers = frozenset(
            o for o in partners if registry.may_read(o, "kcr.view.situation")
        )
        """Who reads the compacted view topics by role (the national centres)."""
        self.signal_readers = frozenset(
            o for o in partners if registry.may_read(o, "kcr.signal.escalation")
        )
        """Who reads the signal topic by role (the national centres)."""
        self.workflow_readers = frozenset(
            o
            for o in partners
            if registry.may_read(o, "kcr.coordination") or registry.may_read(o, "kcr.advice")
        )
        """Who reads the workflow topics (coordination, advice) by role (the national centres)."""
        self.regions = frozenset(registry.region_ids())
        self.amber_is_shared = view_tlp is Tlp.AMBER and self.view_readers <= self.national_centres
        """Whether every AMBER (or wider) event may be counted in the views: the case when
        views are AMBER and only national centres read their topics (the hub's default)."""
        """The safety regions (whose own view shows their last sign of life)."""
        self._regions: dict[tuple[str, ...], frozenset[str] | None] = {}

    def of_event(self, event: EventEnvelope, regions: Iterable[str] | None = None) -> Audience:
        """Return who may see ``event``: whom its label allows, and its publisher.

        ``regions``: the regions it is about when its payload does not say (an update or
        closure is about its aggregate's regions); by default ``data.regions``.
        """
        if regions is None:
            regions = getattr(event.data, "regions", None) or ()
        return self.of_label(event.tlp, event.recipients, regions, event.source)

    def of_label(
        self, tlp: Tlp, recipients: Iterable[str], regions: Iterable[str], source: str
    ) -> Audience:
        """Return who may see what ``source`` labelled ``tlp`` for ``recipients``/``regions``."""
        allowed = allowed_orgs(tlp, recipients, regions, self.national_centres)
        if allowed is None:
            return _interned(tlp, None)
        return _interned(tlp, allowed | {source})

    def view_audience(self, regions: tuple[str, ...]) -> frozenset[str] | None:
        """Return everyone a view record about ``regions`` may reach: its outboxes and topic.

        None: every partner. An input that this set may not all see stays out of the record.
        """
        known = self._regions.get(regions, _MISSING)
        if known is not _MISSING:
            return known  # type: ignore[return-value]
        reach = allowed_orgs(self.view_tlp, (), regions, self.national_centres)
        audience = None if reach is None else reach | self.view_readers
        self._regions[regions] = audience
        return audience

    def signal_reach(
        self, regions: tuple[str, ...], recipients: tuple[str, ...] = ()
    ) -> frozenset[str] | None:
        """Return everyone an AMBER signal about ``regions`` may reach: outboxes and topic."""
        reach = allowed_orgs(Tlp.AMBER, recipients, regions, self.national_centres)
        return None if reach is None else reach | self.signal_readers

    def shares(self, audience: Audience, reach: frozenset[str] | None, base: Tlp) -> bool:
        """Whether an output labelled ``base`` that reaches ``reach`` may include the input.

        Everyone it reaches must be allowed to see the input, and ``base`` must be at least as
        strict as the input's label (a label never widens).
        """
        return audience.covers(reach) and strictest(audience.tlp, base) is base

    def label(
        self, audience: Audience, reach: frozenset[str] | None, base: Tlp = Tlp.AMBER
    ) -> Audience:
        """Return what limits an output labelled ``base`` reaching ``reach``, of this input.

        :data:`EVERYONE` if it may carry what ``audience`` may see (:meth:`shares`), else
        ``audience``.
        """
        return EVERYONE if self.shares(audience, reach, base) else audience

    def region_audience(self, region_id: str) -> frozenset[str] | None:
        """Return everyone the view of ``region_id`` may reach."""
        return self.view_audience((region_id,))

    def national_audience(self) -> frozenset[str] | None:
        """Return everyone the national and capacity views may reach."""
        return self.view_audience(())


_MISSING = object()


@cache
def default_visibility() -> Visibility:
    """The visibility of the packaged registry with view records labelled AMBER."""
    return Visibility(load_registry())
