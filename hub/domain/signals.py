"""The signal book: from the conditions that hold at each tick to escalation events.

A condition that appears raises its signal once; while it holds with other severity, title,
details, regions or evidence the signal is updated; when it no longer holds the signal is
resolved, carrying its last evidence. Event ids are ``<signal_id>:<verb>:<tick>`` and events
come out sorted by signal id, so the same ticks over the same state give the same events.

A signal whose condition is restricted (:attr:`Condition.audience`) carries the stricter
label; a RED one names everyone who may see it as its recipients, and its other recipients
are only those the audience names. :meth:`SignalBook.audience_of` tells the router.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.contracts.events.envelope import Tlp
from hub.contracts.outputs import EscalationEvent
from hub.contracts.outputs.signals import (
    EscalationData,
    EscalationRaised,
    EscalationResolved,
    EscalationUpdated,
    signal_event_id,
)
from hub.domain._common import FrozenJson, FrozenSnapshots, dt_from_json, dt_to_json
from hub.domain.audience import Audience, strictest
from hub.domain.rules.condition import Condition

__all__ = ["ActiveSignal", "SignalBook"]


@dataclass(frozen=True, slots=True)
class ActiveSignal:
    """A raised signal: its latest condition and when it was first raised."""

    condition: Condition
    since: datetime


_EventClass = type[EscalationRaised] | type[EscalationUpdated] | type[EscalationResolved]


class SignalBook:
    """The signals raised and not yet resolved, and their ids per rule."""

    def __init__(self) -> None:
        self.active: dict[str, ActiveSignal] = {}
        self._by_rule: dict[str, set[str]] = {}
        self._snapshots = FrozenSnapshots()  # each signal's JSON, made once per change
        self._emitted: dict[str, Audience] = {}  # the restricted events of the last step

    def audience_of(self, signal_id: str) -> Audience | None:
        """Return who may see the last step's event of ``signal_id`` (None: no limit)."""
        return self._emitted.get(signal_id)

    def of_rule(self, rule: str) -> frozenset[str]:
        """Return the ids of the active signals of ``rule``."""
        return frozenset(self._by_rule.get(rule, ()))

    def step(
        self,
        conditions: Mapping[str, Condition],
        now: datetime,
        tick: int,
        evaluated: Iterable[str] | None = None,
        resolving: Callable[[Condition], Audience | None] = lambda _: None,
    ) -> list[EscalationEvent]:
        """Compare ``conditions`` with the active signals; return the events, by signal id.

        ``evaluated`` names the signal ids whose conditions were looked at this tick (an
        incremental evaluation): an active one among them without a condition resolves, the
        other active signals stay as they are. None: every active signal was evaluated.
        A condition nobody may see (an empty audience) does not hold. ``resolving`` gives who
        may see why a signal resolves (the audience of the aggregates it names, now), to
        narrow its resolution.
        """
        conditions = {sid: c for sid, c in conditions.items() if _anyone(c.audience)}
        looked_at = self.active.keys() if evaluated is None else evaluated
        events: list[EscalationEvent] = []
        self._emitted = {}
        for sid in sorted({*looked_at, *conditions}):
            current, condition = self.active.get(sid), conditions.get(sid)
            if current is None and condition is not None:
                self._set(sid, ActiveSignal(condition, now))
                events.append(self._emit(EscalationRaised, sid, self.active[sid], now, tick))
            elif current is not None and condition is None:
                self._drop(sid)
                why = resolving(current.condition)
                audience = current.condition.audience
                audience = audience if why is None else audience.narrow(why)
                if _anyone(audience):
                    events.append(self._emit(EscalationResolved, sid, current, now, tick, audience))
            elif current is not None and condition is not None and condition != current.condition:
                self._set(sid, ActiveSignal(condition, current.since))
                events.append(self._emit(EscalationUpdated, sid, self.active[sid], now, tick))
        return events

    def _emit(
        self,
        cls: _EventClass,
        sid: str,
        signal: ActiveSignal,
        now: datetime,
        tick: int,
        audience: Audience | None = None,
    ) -> EscalationEvent:
        audience = signal.condition.audience if audience is None else audience
        if audience.restricted:
            self._emitted[sid] = audience
        return _event(cls, sid, signal, now, tick, audience)

    def _set(self, sid: str, signal: ActiveSignal) -> None:
        self.active[sid] = signal
        self._snapshots.touch(sid)
        self._by_rule.setdefault(signal.condition.rule, set()).add(sid)

    def _drop(self, sid: str) -> None:
        self._snapshots.touch(sid)
        rule = self.active.pop(sid).condition.rule
        self._by_rule[rule].discard(sid)

    def to_snapshot(self) -> dict[str, Any]:
        """Return the active signals as a JSON-able dict."""

        def make(sid: str) -> FrozenJson | None:
            signal = self.active.get(sid)
            if signal is None:
                return None
            return FrozenJson(condition=signal.condition.to_json(), since=dt_to_json(signal.since))

        return self._snapshots.all(make)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> SignalBook:
        """Rebuild the book from :meth:`to_snapshot`'s dict."""
        book = cls()
        for sid, item in data.items():
            condition = Condition.from_json(item["condition"])
            book._set(sid, ActiveSignal(condition, dt_from_json(item["since"])))
        return book


def _anyone(audience: Audience) -> bool:
    """Whether some partner may see what ``audience`` limits."""
    return audience.orgs is None or bool(audience.orgs - {"hub"})


def _event(
    cls: _EventClass, sid: str, signal: ActiveSignal, now: datetime, tick: int, audience: Audience
) -> EscalationEvent:
    condition = signal.condition
    verb = cls.declared_type().rsplit(".", 1)[1]
    data = EscalationData(
        signal_id=sid,
        rule=condition.rule,
        severity=condition.severity,
        title=condition.title,
        details=condition.details,
        regions=condition.regions,
        evidence=condition.evidence,
        since=signal.since,
        observed_at=now,
    )
    recipients = condition.recipients
    tlp = strictest(Tlp.AMBER, audience.tlp)
    if audience.orgs is not None:
        named = audience.orgs - {"hub"}
        recipients = (
            tuple(sorted(named))
            if tlp is Tlp.RED
            else tuple(org for org in recipients if org in named)
        )
    return cls(
        id=signal_event_id(sid, verb, tick),
        subject=sid,
        time=now,
        tlp=tlp,
        recipients=recipients,
        data=data,
    )
