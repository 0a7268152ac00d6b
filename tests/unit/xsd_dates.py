"""Hypothesis strategies of xs:dateTime strings, built from the XML Schema grammar.

Years 0001, 9999 and five-digit ones, every month and day 01..31 (so 02-30 too), clock times
with fractions of any length, ``24:00:00``, leap seconds ``:60``, offsets ``Z`` and ±hh:mm up to
14:00, and no offset at all; plus a share of near misses (year 0000, a negative year, hour 24
with minutes) that the grammar refuses. :data:`CAP_SHAPED` keeps to the CAP 1.2 pattern
(``hh:mm:ss±hh:mm``, no fraction, no ``Z``) so that values pass the CAP schema and reach the
mapping.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["CAP_SHAPED", "XS_DATETIMES"]


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


def _date(years: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda y, m, d: f"{y}-{m}-{d}", years, _two(1, 12), _two(1, 31))


def _datetime(
    dates: st.SearchStrategy[str], clocks: st.SearchStrategy[str], offsets: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    return st.builds(lambda d, c, o: f"{d}T{c}{o}", dates, clocks, offsets)


_YEARS = st.one_of(
    st.sampled_from(["0001", "9999", "2026", "1970", "2000"]),
    st.integers(1, 9999).map(lambda y: f"{y:04d}"),
    st.sampled_from(["10000", "0000", "-0001"]),
)
_EDGE_DATES = st.sampled_from(
    ["0001-01-01", "9999-12-31", "2024-02-29", "2026-02-29", "2026-12-31"]
)
_FRACTIONS = st.one_of(
    st.just(""), st.text("0123456789", min_size=1, max_size=12).map(".{}".format)
)
_HMS = st.builds(lambda h, m, s: f"{h}:{m}:{s}", _two(0, 23), _two(0, 59), _two(0, 59))
_CLOCKS = st.one_of(
    st.builds(lambda hms, fraction: hms + fraction, _HMS, _FRACTIONS),
    st.sampled_from(["24:00:00", "24:00:00.000", "23:59:60", "00:59:60", "12:30:60", "24:30:00"]),
)
_HOURS_OFFSET = st.builds(
    lambda sign, h, m: f"{sign}{h}:{m}", st.sampled_from("+-"), _two(0, 13), _two(0, 59)
)
_OFFSETS = st.one_of(
    st.sampled_from(["Z", "+00:00", "-00:00", "+01:00", "-01:00", "+14:00", "-14:00", ""]),
    _HOURS_OFFSET,
)

XS_DATETIMES: st.SearchStrategy[str] = _datetime(
    st.one_of(_EDGE_DATES, _date(_YEARS)), _CLOCKS, _OFFSETS
)
"""xs:dateTime strings from the grammar, with the edges and a share of near misses."""

CAP_SHAPED: st.SearchStrategy[str] = _datetime(
    st.one_of(_EDGE_DATES, _date(_YEARS.filter(lambda y: len(y) == 4))),
    st.one_of(_HMS, st.sampled_from(["24:00:00", "23:59:60"])),
    st.one_of(st.sampled_from(["+00:00", "-00:00", "+01:00", "-01:00", "+14:00"]), _HOURS_OFFSET),
)
"""xs:dateTime strings in CAP 1.2's pattern: ``hh:mm:ss`` and ``±hh:mm``, no fraction, no Z."""
