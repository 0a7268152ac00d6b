"""Times at the edges of what the contracts accept never stop the projection (no poison event).

A partner may send any time the contracts accept. The domain adds deadlines and grace periods
to event times; a time near year 9999 overflowed there (``OverflowError`` in a tick) and would
have stopped the processors on every restart. The contracts hold times to years 1900..2999.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hub.contracts.events.catalogue import parse_event
from hub.contracts.fields import EARLIEST, LATEST
from hub.domain.hub import HubProjection
from tests.unit.conftest import REPO

EXAMPLES = sorted((REPO / "examples" / "events").glob("*.json"))
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def _with_times(value: Any, stamp: str) -> Any:
    """``value`` with every RFC 3339 time in it replaced by ``stamp``."""
    if isinstance(value, dict):
        return {key: _with_times(item, stamp) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_times(item, stamp) for item in value]
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        return stamp
    return value


def _document(path: Path, stamp: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return _with_times(document, stamp)  # type: ignore[no-any-return]


@pytest.mark.parametrize("edge", [EARLIEST, LATEST - timedelta(seconds=1)])
def test_events_at_the_edges_apply_and_every_tick_after_them_runs(edge: datetime) -> None:
    """Every example type with every time at an edge applies; ticks now and far later run."""
    stamp = edge.strftime("%Y-%m-%dT%H:%M:%SZ")
    hub = HubProjection()
    for path in EXAMPLES:
        hub.apply(parse_event(_document(path, stamp)))
    for n, at in enumerate((NOW, NOW + timedelta(days=2), NOW + timedelta(days=800))):
        hub.tick(at, n + 1)


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59Z", "3000-01-01T00:00:00Z", "1899-12-31T23:59:59Z"]
)
def test_times_outside_the_years_the_hub_holds_are_refused_naming_the_field(stamp: str) -> None:
    """A time outside 1900..2999 is a validation error naming the field and the years."""
    document = json.loads((REPO / "examples/events/assistance.requested.json").read_text())
    document["data"]["needed_by"] = stamp
    with pytest.raises(ValidationError) as caught:
        parse_event(document)
    [error] = caught.value.errors()
    assert error["loc"][-1] == "needed_by"
    assert "1900..2999" in error["msg"]
