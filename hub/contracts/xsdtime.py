"""The one xs:dateTime parser of the hub: CAP, EDXL-DE, EDXL-RM, CSV and CloudEvents JSON.

:func:`parse_xs_datetime` reads the whole XML Schema 1.0 ``xs:dateTime`` lexical space and
returns an aware UTC datetime:

- ``24:00:00`` (fraction zeros allowed) is the next day's ``00:00:00``;
- ``23:59:60`` (seconds 60, leap-second notation, at minute 59 of any hour, since offsets move
  it) is the instant one second after ``:59``, i.e. the next minute's ``:00``;
- fractional seconds of any length are cut to microseconds (never rounded up over a boundary);
- ``Z`` and ``+hh:mm`` / ``-hh:mm`` up to ``14:00``; a time without an offset is refused,
  because its instant is unknown;
- years ``0001`` to ``9999``; negative years and ``0000`` are not in the grammar, five-digit
  years are but cannot be represented.

Every refusal is a :class:`DateTimeRefused` naming the field, the value and the fix, with a
reason code: ``malformed`` (not xs:dateTime), ``no_timezone``, ``invalid_date`` (say
``02-30``) or ``out_of_range`` (outside 0001-01-01..9999-12-31 once in UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hub.errors import HubError

__all__ = ["XS_DATETIME", "DateTimeRefused", "parse_xs_datetime"]

XS_DATETIME = re.compile(
    r"(?P<year>[1-9][0-9]{3,}|0(?!000)[0-9]{3})-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])T"
    r"(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9]|60)"
    r"(?:\.(?P<fraction>[0-9]+))?|(?P<end_of_day>24:00:00(?:\.0+)?))"
    r"(?P<offset>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
"""The xs:dateTime grammar (XSD 1.0 years, plus seconds ``60``); match it with ``fullmatch``."""

_EXAMPLE = "2026-11-27T10:00:00Z or 2026-11-27T11:00:00+01:00"


class DateTimeRefused(HubError, ValueError):
    """A date-time value that is not xs:dateTime or cannot be represented; names the field."""

    def __init__(self, field: str, value: str, reason: str, problem: str) -> None:
        """Refuse ``value`` of ``field`` for ``reason``, saying the ``problem``."""
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(
            f"{field} {value[:80]!r} {problem} ({reason})",
            fix=f"give an xs:dateTime with an offset between 0001 and 9999 UTC, e.g. {_EXAMPLE}.",
        )


def _offset(text: str) -> timedelta:
    if text == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    return sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))


def _local(found: re.Match[str]) -> tuple[datetime, timedelta]:
    """The wall-clock datetime (hour < 24, second < 60) and what to add to it."""
    year, month, day = int(found["year"]), int(found["month"]), int(found["day"])
    if found["end_of_day"]:
        return datetime(year, month, day), timedelta(days=1)
    second = int(found["second"])
    fraction = (found["fraction"] or "")[:6].ljust(6, "0")
    wall = datetime(
        year, month, day, int(found["hour"]), int(found["minute"]), min(second, 59), int(fraction)
    )
    return wall, timedelta(seconds=1 if second == 60 else 0)


def parse_xs_datetime(text: str, field: str) -> datetime:
    """Return the xs:dateTime ``text`` of ``field`` as an aware UTC datetime.

    Leading and trailing whitespace is dropped (the type's whitespace facet is ``collapse``).
    Raises :class:`DateTimeRefused` naming ``field`` when ``text`` is not xs:dateTime, has no
    offset, is no calendar date, or lies outside what a datetime holds once in UTC.
    """
    value = text.strip()
    found = XS_DATETIME.fullmatch(value)
    if found is None:
        raise DateTimeRefused(field, text, "malformed", "is not an xs:dateTime")
    if found["offset"] is None:
        raise DateTimeRefused(field, text, "no_timezone", "has no timezone offset")
    if found["second"] == "60" and found["minute"] != "59":
        raise DateTimeRefused(field, text, "invalid_date", "has second 60 outside minute 59")
    if len(found["year"]) > 4:
        raise DateTimeRefused(field, text, "out_of_range", "is after the year 9999")
    try:
        wall, extra = _local(found)
    except ValueError:
        raise DateTimeRefused(field, text, "invalid_date", "is not a calendar date") from None
    try:
        utc = wall + extra - _offset(found["offset"])
    except OverflowError:
        raise DateTimeRefused(
            field, text, "out_of_range", "lies outside 0001-01-01..9999-12-31 in UTC"
        ) from None
    return utc.replace(tzinfo=UTC)
