"""``kcr replay`` options: RFC 3339 times on the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer

from hub.cli.replay_cmd import parse_time


def test_rfc3339_times_become_utc() -> None:
    """A Z or an offset both give an aware UTC datetime; no value gives None."""
    assert parse_time("2026-11-27T10:03:30Z") == datetime(2026, 11, 27, 10, 3, 30, tzinfo=UTC)
    assert parse_time("2026-11-27T11:03:30+01:00") == datetime(2026, 11, 27, 10, 3, 30, tzinfo=UTC)
    assert parse_time(None) is None


@pytest.mark.parametrize("value", ["yesterday", "2026-11-27T10:03:30"])
def test_a_time_without_offset_or_not_a_time_is_refused(value: str) -> None:
    """Naive or malformed times are a bad parameter, named in the message."""
    with pytest.raises(typer.BadParameter, match=value):
        parse_time(value)
