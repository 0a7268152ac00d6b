"""The window of recent event ids: exact de-duplication, snapshotted in stable buckets."""

from __future__ import annotations

import json

from hub.domain._common import RECENT_BUCKET, RecentIds
from hub.domain.testing import heartbeat, minutes


def _window(capacity: int, count: int) -> RecentIds:
    window = RecentIds(capacity)
    for n in range(count):
        assert window.first_time(heartbeat(minutes(n)))
    return window


def _ids(snapshot: dict[str, object]) -> list[list[str]]:
    buckets = snapshot["buckets"]
    assert isinstance(buckets, dict)
    ordered = sorted(buckets.items(), key=lambda item: int(item[0]))
    return [key for _, bucket in ordered for key in bucket["ids"]]


def test_the_window_keeps_the_newest_ids_and_forgets_the_oldest() -> None:
    """500 ids into a window of 200: the last 200 are duplicates, the first 300 are not."""
    window = _window(200, 500)
    assert len(window) == 200
    assert not window.first_time(heartbeat(minutes(499)))
    assert not window.first_time(heartbeat(minutes(300)))
    assert window.first_time(heartbeat(minutes(299)))  # forgotten: taken as new


def test_a_restored_window_is_the_same_window() -> None:
    """Through JSON and back, the window holds the same ids in the same buckets."""
    window = _window(200, 500)
    snapshot = json.loads(json.dumps(window.to_snapshot()))
    restored = RecentIds.from_snapshot(snapshot)
    assert _ids(snapshot) == [["vr19", heartbeat(minutes(n)).id] for n in range(300, 500)]
    assert json.loads(json.dumps(restored.to_snapshot())) == snapshot
    for n in (300, 499):
        assert not restored.first_time(heartbeat(minutes(n)))
    assert restored.first_time(heartbeat(minutes(299)))


def test_a_window_of_the_older_flat_form_is_read() -> None:
    """A snapshot written before the buckets (one list of ids, oldest first) is still read."""
    ids = [["vr19", heartbeat(minutes(n)).id] for n in range(3)]
    older: dict[str, object] = {"capacity": 3, "ids": ids}
    window = RecentIds.from_snapshot(older)
    assert not window.first_time(heartbeat(minutes(2)))
    assert window.first_time(heartbeat(minutes(5)))
    assert _ids(window.to_snapshot()) == [*ids[1:], ["vr19", heartbeat(minutes(5)).id]]


def test_one_more_id_changes_the_newest_and_the_oldest_bucket_only() -> None:
    """A full window shifts by one id per event; its snapshot remakes two buckets, not all."""
    window = _window(RECENT_BUCKET * 10, RECENT_BUCKET * 12 + 5)
    before = window.to_snapshot()["buckets"]
    window.first_time(heartbeat(minutes(10_000)))
    after = window.to_snapshot()["buckets"]
    remade = [name for name in after if after[name] is not before.get(name)]
    assert after.touched == {str(RECENT_BUCKET * 12 // RECENT_BUCKET), "2"}
    assert sorted(remade) == sorted(after.touched)
