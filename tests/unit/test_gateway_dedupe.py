"""The de-duplication window forgets by age and by count, oldest first."""

from datetime import UTC, datetime, timedelta

from hub.gateway.dedupe import DedupeWindow

T0 = datetime(2026, 11, 27, tzinfo=UTC)


def test_remembers_within_the_window_and_forgets_after_it() -> None:
    """A key is known until it is older than the window."""
    window = DedupeWindow(timedelta(hours=1), 10)
    window.remember(("vr01", "a"), T0)
    window.remember(("vr01", "b"), T0 + timedelta(minutes=59))
    assert ("vr01", "a") in window
    window.remember(("vr01", "c"), T0 + timedelta(minutes=61))
    assert ("vr01", "a") not in window
    assert ("vr01", "b") in window


def test_keeps_at_most_max_ids() -> None:
    """Past max_ids the oldest keys are forgotten first."""
    window = DedupeWindow(timedelta(days=1), 3)
    for index in range(5):
        window.remember(("vr01", str(index)), T0 + timedelta(seconds=index))
    assert len(window) == 3
    assert ("vr01", "0") not in window
    assert ("vr01", "4") in window
