"""Due-time queues: keys come back when touched or once their moment has passed, never by a scan."""

from __future__ import annotations

from datetime import timedelta

from hub.domain.due import DueQueue, DueWatch
from hub.domain.hub import HubProjection
from hub.domain.testing import assistance_requested, information_requested, minutes


def test_a_key_falls_due_only_once_now_is_past_its_moment() -> None:
    """At the moment itself nothing is due; a second later the key is popped, once."""
    queue = DueQueue()
    queue.put("a", minutes(5))
    queue.put("b", minutes(3))
    assert queue.pop_passed(minutes(3)) == []
    assert queue.pop_passed(minutes(5)) == ["b"]
    assert queue.pop_passed(minutes(6)) == ["a"]
    assert queue.pop_passed(minutes(60)) == []


def test_pop_reached_includes_a_moment_equal_to_now() -> None:
    """A reminder moment is reached at that moment itself, not only after it."""
    queue = DueQueue()
    queue.put("a", minutes(5))
    queue.put("b", minutes(3))
    assert queue.pop_reached(minutes(2)) == []
    assert queue.pop_reached(minutes(3)) == ["b"]
    assert queue.pop_reached(minutes(5)) == ["a"]


def test_a_new_moment_replaces_the_old_and_the_heap_stays_small() -> None:
    """Rescheduling a key many times keeps one live moment and a bounded heap."""
    queue = DueQueue()
    for n in range(1_000):
        queue.put("a", minutes(n))
    queue.discard("b")
    assert len(queue) == 1
    assert len(queue._heap) <= 2 + 64
    assert queue.pop_passed(minutes(998)) == []
    assert queue.pop_passed(minutes(1_000)) == ["a"]


def test_a_watch_gives_everything_once_then_touched_and_due_keys() -> None:
    """First take: every key; then only touched keys and those whose moment passed."""
    watch = DueWatch()
    assert watch.take(minutes(0), lambda: ["x", "y"]) == ["x", "y"]
    watch.watch("x", minutes(10))
    watch.watch("y", None)
    watch.touch("z")
    assert watch.take(minutes(1), lambda: ["x", "y", "z"]) == ["z"]
    assert watch.take(minutes(11), lambda: ["x", "y", "z"]) == ["x"]
    watch.touch_everything()
    assert watch.take(minutes(12), lambda: ["x", "y", "z"]) == ["x", "y", "z"]


def test_a_tick_looks_at_no_open_request_that_is_neither_changed_nor_due() -> None:
    """1,000 open requests of each kind: after a tick saw them, none is looked at until due."""
    hub = HubProjection()
    for n in range(1_000):
        at = minutes(0) + timedelta(seconds=n)
        hub.apply(assistance_requested(f"req-{n}", at, needed_by=minutes(60 + n)))
        hub.apply(information_requested(f"info-{n}", at, respond_by=minutes(60 + n)))
    hub.tick(minutes(30), 1)
    assistance, information = hub.state.assistance, hub.state.information
    assert len(assistance.watch.queue) == len(information.watch.queue) == 1_000
    assert assistance.watch.take(minutes(40), list) == []
    assert information.watch.take(minutes(60), list) == []
    assert information.watch.take(minutes(60) + timedelta(seconds=1), list) == ["info-0"]
    due = assistance.watch.take(minutes(62) + timedelta(seconds=1), list)
    assert due == ["req-0", "req-1", "req-2"]
