"""The one xs:dateTime parser: all of its lexical space in, UTC out, or a named refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from hub.contracts.fields import UtcDatetime, to_utc
from hub.contracts.xsdtime import DateTimeRefused, parse_xs_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T10:00:00Z", datetime(2026, 11, 27, 10, tzinfo=UTC)),
        ("2026-11-27T11:00:00+01:00", datetime(2026, 11, 27, 10, tzinfo=UTC)),
        ("2026-12-31T24:00:00Z", datetime(2027, 1, 1, tzinfo=UTC)),
        ("2026-12-31T24:00:00.000-01:00", datetime(2027, 1, 1, 1, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2017-01-01T00:59:60+01:00", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2026-11-27T10:00:00.123456789Z", datetime(2026, 11, 27, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-27T10:00:00.9999999Z", datetime(2026, 11, 27, 10, 0, 0, 999999, tzinfo=UTC)),
        ("0001-01-01T00:00:00-01:00", datetime(1, 1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59+01:00", datetime(9999, 12, 31, 22, 59, 59, tzinfo=UTC)),
        ("2026-11-27T10:00:00+14:00", datetime(2026, 11, 26, 20, tzinfo=UTC)),
        ("  2026-11-27T10:00:00-00:00\n", datetime(2026, 11, 27, 10, tzinfo=UTC)),
    ],
)
def test_valid_times_become_utc(text: str, expected: datetime) -> None:
    """24:00, leap seconds, long fractions and edge years with offsets are read exactly."""
    parsed = parse_xs_datetime(text, "sent")
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0001-01-01T00:00:00+01:00", "out_of_range"),
        ("9999-12-31T23:59:59-01:00", "out_of_range"),
        ("9999-12-31T24:00:00Z", "out_of_range"),
        ("9999-12-31T23:59:60Z", "out_of_range"),
        ("10000-01-01T00:00:00Z", "out_of_range"),
        ("2026-02-29T10:00:00Z", "invalid_date"),
        ("2026-04-31T10:00:00Z", "invalid_date"),
        ("2026-11-27T10:30:60Z", "invalid_date"),
        ("2026-11-27T10:00:00", "no_timezone"),
        ("0000-01-01T00:00:00Z", "malformed"),
        ("-0001-01-01T00:00:00Z", "malformed"),
        ("2026-11-27T24:00:01Z", "malformed"),
        ("2026-11-27T10:00:00+14:01", "malformed"),
        ("2026-11-27T10:00Z", "malformed"),
        ("2026-11-27 10:00:00Z", "malformed"),
        ("", "malformed"),
    ],
)
def test_refusals_name_field_and_reason(text: str, reason: str) -> None:
    """Every refusal is a DateTimeRefused (a ValueError) naming the field, value and fix."""
    with pytest.raises(DateTimeRefused) as caught:
        parse_xs_datetime(text, "<onset>")
    assert caught.value.reason == reason
    assert caught.value.field == "<onset>"
    assert caught.value.message.startswith("<onset> ")
    assert caught.value.fix
    assert isinstance(caught.value, ValueError)


class _Timed(BaseModel):
    started_at: UtcDatetime


def test_pydantic_fields_use_the_parser_and_never_overflow() -> None:
    """A contract field reads 24:00 and refuses an edge year with a named validation error."""
    assert _Timed(started_at="2026-12-31T24:00:00Z").started_at == datetime(2027, 1, 1, tzinfo=UTC)
    assert _Timed(started_at="2026-11-27t10:00:00z").started_at.hour == 10  # RFC 3339 lowercase
    assert _Timed(started_at="2026-11-27T10:00Z").started_at.hour == 10  # ISO form, as before
    with pytest.raises(ValidationError) as caught:
        _Timed(started_at="0001-01-01T00:00:00+01:00")
    [error] = caught.value.errors()
    assert error["loc"] == ("started_at",)
    assert "out_of_range" in error["msg"]
    with pytest.raises(ValidationError, match="has no timezone offset"):
        _Timed(started_at="2026-11-27T10:00:00")


def test_to_utc_turns_overflow_into_value_error() -> None:
    """A datetime object whose UTC instant is out of range is a ValueError, not OverflowError."""
    value = datetime.fromisoformat("9999-12-31T23:59:59-01:00")
    with pytest.raises(ValueError, match=r"outside the years 1900\.\.2999"):
        to_utc(value)
    with pytest.raises(ValidationError):
        _Timed(started_at=value)
