"""The capacity projection: latest report per organisation and type, staleness, totals."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

from hub.contracts.events.envelope import EventEnvelope
from hub.contracts.organisations import load_registry
from hub.domain.capacity import CapacityProjection
from hub.domain.testing import capacity_reported, heartbeat, minutes

DAY = timedelta(days=1)


def _projection(*events: EventEnvelope) -> CapacityProjection:
    """Return a projection with ``events`` applied in order."""
    projection = CapacityProjection(load_registry())
    for event in events:
        projection.apply(event)
    return projection


def test_latest_report_by_time_wins_in_any_order() -> None:
    """Of two reports for one key, the later one counts, whichever arrives first."""
    old = capacity_reported("pump", minutes(0), available=9)
    new = capacity_reported("pump", minutes(5), available=3)
    for order in itertools.permutations([old, new, old]):
        report = _projection(*order).report("vr19", "pump")
        assert report is not None
        assert (report.available, report.event_id) == (3, new.id)


def test_equal_times_are_decided_by_event_id() -> None:
    """Two reports with the same time: the larger event id counts, in either order."""
    a = capacity_reported("pump", minutes(0), available=1, event_id="a")
    b = capacity_reported("pump", minutes(0), available=2, event_id="b")
    for order in ([a, b], [b, a]):
        report = _projection(*order).report("vr19", "pump")
        assert report is not None
        assert report.event_id == "b"


def test_national_sums_fresh_reports_per_type() -> None:
    """Totals per type add up the organisations' latest reports; entries are sorted by org."""
    projection = _projection(
        capacity_reported("pump", minutes(0), total=10, available=4, committed=5),
        capacity_reported("pump", minutes(0), source="vr18", total=6, available=6),
        capacity_reported("bus", minutes(0), total=3, available=3),
    )
    national = projection.national("pump", minutes(1), DAY, {})
    assert (national.total, national.available, national.committed) == (16, 10, 5)
    assert [e.org_id for e in national.per_organisation] == ["vr18", "vr19"]
    assert national.stale_orgs == ()
    assert projection.resource_types() == ("bus", "pump")


def test_report_is_stale_after_valid_until() -> None:
    """At valid_until a report is fresh; just after, it is stale and leaves the totals."""
    projection = _projection(
        capacity_reported("pump", minutes(0), valid_until=minutes(30)),
        capacity_reported("pump", minutes(0), source="vr18", total=4, available=4),
    )
    at_limit = projection.national("pump", minutes(30), DAY, {})
    after = projection.national("pump", minutes(30) + timedelta(microseconds=1), DAY, {})
    assert (at_limit.total, at_limit.stale_orgs) == (14, ())
    assert (after.total, after.stale_orgs) == (4, ("vr19",))
    assert [e.stale for e in after.per_organisation] == [False, True]


def test_report_is_stale_when_older_than_the_maximum_age() -> None:
    """A report older than the maximum age is stale, even if still valid by its own word."""
    projection = _projection(capacity_reported("pump", minutes(0), valid_until=minutes(999)))
    max_age = timedelta(minutes=60)
    assert projection.national("pump", minutes(60), max_age, {}).stale_orgs == ()
    assert projection.national("pump", minutes(61), max_age, {}).stale_orgs == ("vr19",)


def test_accepted_assistance_adds_to_the_offerers_committed() -> None:
    """Units accepted from an organisation's offers count as its committed capacity."""
    projection = _projection(
        capacity_reported("pump", minutes(0), source="vr18", total=10, available=8, committed=1)
    )
    national = projection.national("pump", minutes(1), DAY, {"vr18": 3, "vr20": 2})
    by_org = {e.org_id: e for e in national.per_organisation}
    assert (by_org["vr18"].committed, by_org["vr18"].available) == (4, 8)
    assert (by_org["vr20"].total, by_org["vr20"].committed, by_org["vr20"].reported_at) == (
        0, 2, None,
    )  # fmt: skip
    assert (national.total, national.available, national.committed) == (10, 8, 6)


def test_evidence_is_the_fresh_reports() -> None:
    """The evidence of the national figure is the event ids of the fresh reports, sorted."""
    fresh = capacity_reported("pump", minutes(0), event_id="r-2")
    stale = capacity_reported("pump", minutes(0), source="vr18", valid_until=minutes(1))
    national = _projection(fresh, stale).national("pump", minutes(2), DAY, {})
    assert national.evidence == ("r-2",)


def test_other_events_are_ignored() -> None:
    """Only capacity reports change the projection."""
    assert _projection(heartbeat(minutes(0))).resource_types() == ()


def test_snapshot_round_trip() -> None:
    """A restored projection gives the same national figures and keeps the latest-wins rule."""
    projection = _projection(
        capacity_reported("pump", minutes(5), available=3),
        capacity_reported("bus", minutes(0), source="vr18"),
    )
    restored = CapacityProjection.from_snapshot(
        json.loads(json.dumps(projection.to_snapshot())), load_registry()
    )
    for rtype in ("pump", "bus"):
        assert restored.national(rtype, minutes(6), DAY, {}) == projection.national(
            rtype, minutes(6), DAY, {}
        )
    restored.apply(capacity_reported("pump", minutes(1), available=9))
    assert restored.national("pump", minutes(6), DAY, {}).available == 3
