"""National capacity: the latest report per organisation and resource type, with staleness.

The latest report of a key (source organisation, resource type) wins by event ``time``, ties
broken by event id, so neither a duplicate nor the order of arrival of two reports can change
the result. Staleness is judged at tick time: a report is stale when ``now`` is past its
``valid_until`` or it is older than the configured maximum age. National totals count
non-stale entries only; stale organisations are listed apart.

Committed capacity also comes from assistance (minimal support): units accepted from an
organisation's offers add to that organisation's ``committed`` for the resource type while the
request stands (see :meth:`hub.domain.assistance.AssistanceBook.committed`). ``available``
stays as reported: the organisation's next report is expected to reflect the deployment.

A report touches its resource type in :attr:`CapacityProjection.watch` (:mod:`hub.domain.due`);
the capacity rule looks at a type again when a report of it arrives or when one of its reports
goes stale (:meth:`CapacityProjection.next_stale`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.contracts.events.capacity import CapacityReported
from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.outputs.views import OrgCapacity
from hub.domain._common import dt_from_json, dt_to_json
from hub.domain.audience import Visibility
from hub.domain.due import DueWatch

__all__ = ["CapacityProjection", "CapacityReport", "NationalCapacity"]


@dataclass(frozen=True, slots=True)
class CapacityReport:
    """The latest capacity report of one organisation for one resource type."""

    org_id: str
    resource_type: str
    total: int
    available: int
    committed: int
    reported_at: datetime
    valid_until: datetime
    event_id: str
    region: str | None = None
    """Region where the capacity is: as reported, else the source's own if it is a region."""

    def is_stale(self, now: datetime, max_age: timedelta) -> bool:
        """Whether the report is past its ``valid_until`` or older than ``max_age`` at ``now``."""
        return now > self.valid_until or now - self.reported_at > max_age

    def stale_after(self, max_age: timedelta) -> datetime:
        """The moment after which the report is stale (:meth:`is_stale` holds once past it)."""
        return min(self.valid_until, self.reported_at + max_age)

    def to_json(self) -> list[Any]:
        """Return the report as a JSON-able list."""
        return [
            self.org_id,
            self.resource_type,
            self.total,
            self.available,
            self.committed,
            dt_to_json(self.reported_at),
            dt_to_json(self.valid_until),
            self.event_id,
            self.region,
        ]

    @classmethod
    def from_json(cls, data: list[Any]) -> CapacityReport:
        """Rebuild the report from :meth:`to_json`'s list."""
        org, rtype, total, available, committed, reported_at, valid_until, event_id, region = data
        return cls(
            org,
            rtype,
            total,
            available,
            committed,
            dt_from_json(reported_at),
            dt_from_json(valid_until),
            event_id,
            region,
        )


@dataclass(frozen=True, slots=True)
class NationalCapacity:
    """The capacity of one resource type at one moment, over every organisation."""

    resource_type: str
    total: int
    available: int
    committed: int
    per_organisation: tuple[OrgCapacity, ...]
    stale_orgs: tuple[str, ...]
    evidence: tuple[str, ...]
    """Event ids of the non-stale reports, sorted."""


class CapacityProjection:
    """The latest capacity report per (organisation, resource type).

    Only reports every reader of the national capacity view may see, under its label, count
    (:meth:`~hub.domain.audience.Visibility.shares`): a RED or AMBER_STRICT report stays in
    the log and out of the shared figures.
    """

    def __init__(
        self,
        organisations: OrganisationRegistry,
        visibility: Visibility | None = None,
    ) -> None:
        """Start empty; ``visibility`` defaults to that of ``organisations``, views AMBER."""
        self.organisations = organisations
        self.visibility = visibility or Visibility(organisations)
        self.withheld = 0
        """Reports left out because not every reader of the view may see them (not stored)."""
        self._by_type: dict[str, dict[str, CapacityReport]] = {}
        self.watch = DueWatch()
        """Resource types to look at again (reported, or a report went stale); not stored."""
        self.view_watch = DueWatch()
        """The same for the capacity views (a watch of their own: each takes what it looked at)."""
        self._reported: set[str] = set()

    def apply(self, event: EventEnvelope) -> None:
        """Apply a capacity report; other events are no concern of this projection."""
        if not isinstance(event, CapacityReported):
            return
        visibility = self.visibility
        audience = visibility.of_event(event)
        if not visibility.shares(audience, visibility.national_audience(), visibility.view_tlp):
            self.withheld += 1
            return
        data = event.data
        reports = self._by_type.setdefault(data.resource_type, {})
        current = reports.get(event.source)
        if current is not None and (current.reported_at, current.event_id) >= (
            event.time,
            event.id,
        ):
            return
        reports[event.source] = CapacityReport(
            event.source,
            data.resource_type,
            data.total,
            data.available,
            data.committed,
            event.time,
            data.valid_until,
            event.id,
            data.region or (event.source if self.organisations.is_region(event.source) else None),
        )
        self.watch.touch(data.resource_type)
        self.view_watch.touch(data.resource_type)
        self._reported.add(data.resource_type)

    def take_reported(self) -> set[str]:
        """Return and forget the resource types reported since the last call (not stored)."""
        reported, self._reported = self._reported, set()
        return reported

    def resource_types(self) -> tuple[str, ...]:
        """Return the resource types with at least one report, sorted."""
        return tuple(sorted(self._by_type))

    def report(self, org_id: str, resource_type: str) -> CapacityReport | None:
        """Return the latest report of ``org_id`` for ``resource_type``, if any."""
        return self._by_type.get(resource_type, {}).get(org_id)

    def next_stale(self, resource_type: str, now: datetime, max_age: timedelta) -> datetime | None:
        """Return the moment the next report of ``resource_type`` goes stale after ``now``.

        None when every report is stale at ``now`` (or there is none).
        """
        moments = (r.stale_after(max_age) for r in self._by_type.get(resource_type, {}).values())
        return min((at for at in moments if now <= at), default=None)

    def fresh_reports(
        self, resource_type: str, now: datetime, max_age: timedelta
    ) -> list[CapacityReport]:
        """Return the non-stale reports of ``resource_type`` at ``now``, by organisation id."""
        reports = self._by_type.get(resource_type, {})
        return [reports[org] for org in sorted(reports) if not reports[org].is_stale(now, max_age)]

    def national(
        self,
        resource_type: str,
        now: datetime,
        max_age: timedelta,
        assisting: Mapping[str, int],
    ) -> NationalCapacity:
        """Return the capacity of ``resource_type`` at ``now``.

        ``assisting`` gives per organisation the units committed through accepted assistance;
        an organisation without a report but with such units gets an entry of its own.
        """
        reports = self._by_type.get(resource_type, {})
        entries = [
            _entry(reports.get(org), org, assisting.get(org, 0), now, max_age)
            for org in sorted(set(reports) | set(assisting))
        ]
        fresh = [entry for entry in entries if not entry.stale]
        evidence = sorted(reports[e.org_id].event_id for e in fresh if e.org_id in reports)
        return NationalCapacity(
            resource_type=resource_type,
            total=sum(e.total for e in fresh),
            available=sum(e.available for e in fresh),
            committed=sum(e.committed for e in fresh),
            per_organisation=tuple(entries),
            stale_orgs=tuple(e.org_id for e in entries if e.stale),
            evidence=tuple(evidence),
        )

    def to_snapshot(self) -> dict[str, Any]:
        """Return the state as a JSON-able dict."""
        return {
            "reports": [r.to_json() for reports in self._by_type.values() for r in reports.values()]
        }

    @classmethod
    def from_snapshot(
        cls,
        data: dict[str, Any],
        organisations: OrganisationRegistry,
        visibility: Visibility | None = None,
    ) -> CapacityProjection:
        """Rebuild the projection from :meth:`to_snapshot`'s dict."""
        projection = cls(organisations, visibility)
        for item in data["reports"]:
            report = CapacityReport.from_json(item)
            projection._by_type.setdefault(report.resource_type, {})[report.org_id] = report
        return projection


def _entry(
    report: CapacityReport | None, org: str, assisting: int, now: datetime, max_age: timedelta
) -> OrgCapacity:
    if report is None:
        return OrgCapacity(org_id=org, total=0, available=0, committed=assisting, stale=False)
    return OrgCapacity(
        org_id=org,
        total=report.total,
        available=report.available,
        committed=report.committed + assisting,
        reported_at=report.reported_at,
        valid_until=report.valid_until,
        stale=report.is_stale(now, max_age),
    )
