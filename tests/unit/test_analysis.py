"""Analysis: log events as records, plotted series from the replay, the report's PNG and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from hub.domain import testing as given
from hub.history.analysis.records import events_from_archive, to_log_events
from hub.history.analysis.report import write_report
from hub.history.analysis.series import report_series
from hub.history.archive.export import ArchiveWriter, to_archive_dict
from hub.history.replay import ReplayWindow, replay_items
from hub.history.timetravel import state_at
from tests.unit.crisis_log import crisis_log

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_log_events_are_plain_records_with_the_tick_that_covered_them() -> None:
    """Time, type, source, subject, data dict and covering tick of every event."""
    events = to_log_events(crisis_log().items)
    reported = next(e for e in events if e.type == "nl.kcr.incident.reported")
    assert (reported.source, reported.subject, reported.tick) == ("vr19", "inc-zl", 0)
    assert reported.data["grip_level"] == "2"
    closed = next(e for e in events if e.type == "nl.kcr.incident.closed")
    assert closed.tick == 3
    assert [e.time for e in events] == sorted(e.time for e in events)


def test_an_event_no_tick_covers_has_none() -> None:
    """An event after the last tick is not applied yet: tick None."""
    log = crisis_log()
    log.add(given.heartbeat(given.minutes(7), "vr01"))
    assert to_log_events(log.items)[-1].tick is None


def test_the_archive_loader_gives_the_same_records(tmp_path: Path) -> None:
    """Events loaded from an archive equal those loaded from the items directly."""
    log = crisis_log()
    path = tmp_path / "log.avro"
    with ArchiveWriter(path) as writer:
        for record, (_, _, event) in zip(log.records(), log.items, strict=True):
            writer.write(to_archive_dict(record, event))
    assert events_from_archive(path) == to_log_events(log.items)


def test_series_follow_the_published_views_and_signals() -> None:
    """GRIP 2 → 4 → none in vr19, pumps 90 → 5 → 80 of 100, two signals raised then resolved."""
    series = report_series(replay_items(crisis_log().items))
    assert [p.grip for p in series.grip["vr19"]] == ["2", "4", None]
    assert list(series.grip) == ["vr19"]
    assert [(p.available, p.total) for p in series.capacity["pump"]] == [
        (90, 100),
        (5, 100),
        (80, 100),
    ]
    spans = {span.signal_id: span for span in series.signals}
    assert set(spans) == {"grip-high/inc-zl", "capacity-shortfall/pump"}
    assert spans["grip-high/inc-zl"].raised_at == given.minutes(3)
    assert spans["grip-high/inc-zl"].resolved_at == given.minutes(6)


def test_the_report_writes_pngs_with_their_series(tmp_path: Path) -> None:
    """Three non-empty PNGs, each with a JSON of exactly the plotted series."""
    result = replay_items(crisis_log().items)
    series = report_series(result)
    pngs = write_report(series, tmp_path, result.outputs[-1].now)
    assert sorted(p.name for p in pngs) == ["capacity.png", "grip_levels.png", "signals.png"]
    for png in pngs:
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert png.stat().st_size > 1000
    grip = json.loads((tmp_path / "grip_levels.json").read_text(encoding="utf-8"))
    assert [p["grip"] for p in grip["vr19"]] == ["2", "4", None]
    data = series.to_json()
    assert json.loads((tmp_path / "capacity.json").read_text(encoding="utf-8")) == data["capacity"]
    assert json.loads((tmp_path / "signals.json").read_text(encoding="utf-8")) == data["signals"]


def test_time_travel_shows_the_state_after_the_last_tick_before_the_moment() -> None:
    """Until minute 3.5: GRIP 4 and both signals active; since minute 2: only later outputs."""
    result = replay_items(crisis_log().items, ReplayWindow(until=given.minutes(3.5)))
    state = state_at(result)
    assert state.last_tick == 1
    region = state.views["situation"]["region/vr19"]
    assert region.model_dump()["highest_grip"] == "4"
    assert {s.data.signal_id for s in state.signals} == {
        "grip-high/inc-zl",
        "capacity-shortfall/pump",
    }
    later = state_at(result, since=given.minutes(2))
    assert "incident/inc-zl" in later.views["situation"]
    assert all(view.as_of > given.minutes(2) for v in later.views.values() for view in v.values())
    quiet = state_at(result, since=given.minutes(3))
    assert quiet.views["situation"] == {}
    assert quiet.signals == []
    assert json.loads(json.dumps(state.to_json()))["last_tick"] == 1
